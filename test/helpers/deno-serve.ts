// `deno serve` — Deno itself, the npm package's real binary — on a module, on a free loopback port:
// the reference that edge functions are compared with (tests and scripts/bench/functions.ts).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./spawned-node.ts";

export const DENO = join(REPO, "node_modules", ".bin", "deno");

export interface DenoServer {
  url: string;
  /** From starting the process to its first answer to GET / (with `probe`), else to listening, in ms. */
  firstAnswerMs: number;
  stop(): void;
}

/** Writes `code` as main.ts in `dir` and serves it; `flags` such as --unstable-kv go to deno serve. */
export async function denoServe(dir: string, code: string, opts: { flags?: string[]; probe?: boolean } = {}): Promise<DenoServer> {
  const flags = opts.flags ?? [];
  writeFileSync(join(dir, "main.ts"), code);
  const started = performance.now();
  const proc = Bun.spawn([DENO, "serve", "--no-check", ...flags, "--port", "0", "--host", "127.0.0.1", join(dir, "main.ts")], {
    stdout: "ignore",
    stderr: "pipe",
    env: { ...process.env, DENO_DIR: join(dir, ".deno"), NO_COLOR: "1" },
  });
  let seen = "";
  for await (const chunk of proc.stderr as unknown as AsyncIterable<Uint8Array>) {
    seen += new TextDecoder().decode(chunk);
    const m = /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
    if (!m) continue;
    if (opts.probe) await (await fetch(m[1]!)).text();
    return { url: m[1]!, firstAnswerMs: performance.now() - started, stop: () => proc.kill() };
  }
  throw new Error(`deno serve did not start: ${seen}`);
}
