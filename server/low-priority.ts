// A command prefix that runs a child at a lower CPU priority, so untrusted or runaway work never
// starves the node's own request handling. Empty where `nice` is not installed.
import { existsSync } from "node:fs";

const NICE = "/usr/bin/nice";

export function lowPriority(niceness: number): string[] {
  return existsSync(NICE) ? [NICE, "-n", String(niceness)] : [];
}
