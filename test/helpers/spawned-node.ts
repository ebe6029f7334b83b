// A real node in its own process (from source or the compiled binary), for signals, crashes and the CLI.
import type { Subprocess } from "bun";

export const BUN = process.execPath;
export const REPO = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
export const CLI = `${REPO}/server/main.ts`;

export interface SpawnedNode {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Send a signal and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

async function collect(stream: ReadableStream<Uint8Array>, into: { text: string }, onChunk: () => void): Promise<void> {
  const decoder = new TextDecoder();
  for (const reader = stream.getReader(); ; ) {
    const { done, value } = await reader.read();
    if (done) return;
    into.text += decoder.decode(value, { stream: true });
    onChunk();
  }
}

/** Start `command` (default: bun server/cli.ts start) and wait for its "listening" log line. */
export async function spawnNode(env: Record<string, string>, opts: { command?: string[]; cwd?: string; timeoutMs?: number } = {}): Promise<SpawnedNode> {
  const command = opts.command ?? [BUN, CLI, "start"];
  const proc = Bun.spawn(command, {
    cwd: opts.cwd ?? REPO,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      PC2_NETWORK_BOOTSTRAP: "none",
      PC2_NETWORK_IPV4: "127.0.0.1",
      PC2_NETWORK_PORT: "0",
      PC2_PORT: "0",
      PC2_LOG_FORMAT: "json",
      ...env,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const out = { text: "" };
  const err = { text: "" };
  let resolveUrl!: (url: string) => void;
  const urlPromise = new Promise<string>((r) => (resolveUrl = r));
  const scan = () => {
    const m = /"msg":"listening","url":"(https?:\/\/[^"]+)"/.exec(out.text);
    if (m) resolveUrl(m[1]!);
  };
  void collect(proc.stdout, out, scan);
  void collect(proc.stderr, err, () => {});
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const url = await Promise.race([
    urlPromise,
    proc.exited.then((code) => Promise.reject(new Error(`node exited with ${code} before listening:\n${out.text}\n${err.text}`))),
    Bun.sleep(timeoutMs).then(() => Promise.reject(new Error(`node did not listen within ${timeoutMs} ms:\n${out.text}\n${err.text}`))),
  ]);
  return {
    proc,
    url,
    stdout: () => out.text,
    stderr: () => err.text,
    async stop(signal = "SIGTERM") {
      proc.kill(signal);
      const code = await Promise.race([proc.exited, Bun.sleep(15_000).then(() => (proc.kill("SIGKILL"), -1))]);
      return code;
    },
  };
}

/** Run the CLI to completion with optional stdin; returns exit code and output. */
export async function runCli(args: string[], env: Record<string, string>, stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([BUN, CLI, ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...env },
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}
