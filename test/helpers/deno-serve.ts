// `deno serve` — Deno itself, the npm package's real binary — on a module, on a free loopback port:
// the reference that edge functions are compared with (tests and scripts/bench/functions.ts).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./spawned-node.ts";

export const DENO = join(REPO, "node_modules", ".bin", "deno");

export interface DenoServer {
  url: string;
  /** From starting the process to its first answer to GET / (with `probe`), else to listening, in ms. */
  firstAnswerMs: number;
  stop(): void;
}

/** Writes `code` as main.ts in `dir` (unless null) and serves it; `flags` such as --unstable-kv go to deno serve. */
export async function denoServe(dir: string, code: string | null, opts: { flags?: string[]; probe?: boolean; env?: Record<string, string> } = {}): Promise<DenoServer> {
  const flags = opts.flags ?? [];
  // null: main.ts is already there (a fixture's folder).
  if (code !== null) writeFileSync(join(dir, "main.ts"), code);
  const main = join(dir, "main.ts");
  // A module that calls Deno.serve itself runs with `deno run`, on a free loopback port.
  const command = /export\s+default/.test(readFileSync(main, "utf8"))
    ? [DENO, "serve", "--no-check", ...flags, "--port", "0", "--host", "127.0.0.1", main]
    : [DENO, "run", "--no-check", "--allow-net=127.0.0.1", ...flags, writeRunner(dir)];
  const started = performance.now();
  const proc = Bun.spawn(command, {
    stdout: "ignore",
    stderr: "pipe",
    env: { ...process.env, ...opts.env, DENO_DIR: join(dir, ".deno"), NO_COLOR: "1" },
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

/**
 * For `deno run`: Deno.serve made to listen on a free loopback port (the port and host a module asks
 * for are not used — as under PC2) and to say where, as `deno serve` does; then the module.
 */
function writeRunner(dir: string): string {
  const runner = join(dir, "pc2-deno-run.ts");
  writeFileSync(
    runner,
    `const serve = Deno.serve;
// deno-lint-ignore no-explicit-any
(Deno as any).serve = (a: any, b?: any) => {
  const options = typeof a === "function" ? {} : a;
  const handler = typeof a === "function" ? a : (b ?? a.handler);
  return serve({ ...options, port: 0, hostname: "127.0.0.1", onListen: ({ port }: { port: number }) => console.error(\`Listening on http://127.0.0.1:\${port}/\`) }, handler);
};
await import("./main.ts");
`,
  );
  return runner;
}
