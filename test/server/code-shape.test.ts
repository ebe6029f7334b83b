// The codebase stays easy to walk: small files, one idea each. Over 300 lines is a warning to split
// soon; over 500 fails.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../helpers/spawned-node.ts";

const WARN_LINES = 300;
const MAX_LINES = 500;

function sourceFiles(): string[] {
  const listed = Bun.spawnSync(["git", "ls-files", "--cached", "--others", "--exclude-standard", "server", "web", "workers", "scripts", "test"], { cwd: REPO });
  return new TextDecoder()
    .decode(listed.stdout)
    .split("\n")
    .filter((f) => f.endsWith(".ts"));
}

test(`no source file is over ${MAX_LINES} lines (over ${WARN_LINES} is reported)`, () => {
  const sizes = sourceFiles().map((f) => [f, readFileSync(join(REPO, f), "utf8").split("\n").length] as const);
  expect(sizes.length).toBeGreaterThan(100);
  const large = sizes.filter(([, n]) => n > WARN_LINES);
  if (large.length) console.warn(`files over ${WARN_LINES} lines (split them before they grow): ${large.map(([f, n]) => `${f} (${n})`).join(", ")}`);
  expect(sizes.filter(([, n]) => n > MAX_LINES)).toEqual([]);
});
