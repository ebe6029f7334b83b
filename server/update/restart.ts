// Restarting into releases/current after an update is staged or settled. Under a service manager
// (systemd: the unit restarts PC2 when it exits with 75) the process just exits with that code;
// otherwise it starts releases/current itself, detached, with the same output, and exits.
import { spawn } from "node:child_process";
import { currentLink } from "./install-layout.ts";

export const RESTART_EXIT_CODE = 75;

/** The exit code for this process, after starting its successor when nothing else will. */
export function restartInto(mode: "exit" | "spawn", dataDir: string): number {
  if (mode === "exit") return RESTART_EXIT_CODE;
  const next = spawn(currentLink(dataDir), ["start"], { detached: true, stdio: ["ignore", "inherit", "inherit"], env: process.env });
  next.unref();
  return 0;
}
