// Runs one WASI module in a child process with hard limits: time (SIGKILL), memory (capped in the
// module), output size; nothing of the host but what the call passes (no files, no network, no env).
import { join } from "node:path";
import { lowPriority } from "../../low-priority.ts";

export interface RunRequest {
  module: Uint8Array;
  args: string[];
  env: Record<string, string>;
  stdin: Uint8Array;
  timeoutMs: number;
  maxOutputBytes: number;
}

export interface RunResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Why the sandbox stopped the module, if it did. */
  killed: "timeout" | "output_limit" | null;
  /** A trap or a load failure (e.g. memory exhausted, unreachable). */
  error: string | null;
}

export type OutputListener = (stream: "stdout" | "stderr", text: string) => void;

const COMPILED = import.meta.url.includes("/$bunfs/");
const RUNNER = join(import.meta.dir, "..", "..", "..", "workers", "wasi-runner.ts");

/** Untrusted computation yields the CPU to the node's own work (requests keep answering under load). */
const NICE = lowPriority(10);

/** The child: this program again in runner mode (binary), or bun on the runner file (source). */
function runnerCommand(): string[] {
  return [...NICE, ...(COMPILED ? [process.execPath] : [process.execPath, RUNNER])];
}

function spawnRunner() {
  return Bun.spawn(runnerCommand(), {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "ignore",
    // Only what the runner needs; the module's own env is inside the job, never the node's.
    env: { PC2_WASI_CHILD: "1", PATH: "/usr/bin:/bin" },
  });
}

type Runner = ReturnType<typeof spawnRunner>;

/**
 * Children spawned ahead of time, started and waiting for one job each. Every child still runs a
 * single module and is then gone, so a hard SIGKILL stays the time limit; the pool only moves the
 * start-up cost (~90 ms) off the request.
 */
const warm: Runner[] = [];
let poolSize = 0;

export function setWarmPool(size: number): void {
  poolSize = size;
  refill();
}

function refill(): void {
  while (warm.length < poolSize) {
    const child = spawnRunner();
    warm.push(child);
    void child.exited.then(() => {
      const i = warm.indexOf(child);
      if (i >= 0) warm.splice(i, 1); // died while waiting (e.g. at shutdown)
    });
  }
}

/** Stop the idle children (at shutdown). */
export function drainWarmPool(): void {
  poolSize = 0;
  for (const child of warm.splice(0)) child.kill("SIGKILL");
}

export async function runSandboxed(req: RunRequest, onOutput?: OutputListener, signal?: AbortSignal): Promise<RunResult> {
  const started = performance.now();
  const child = warm.shift() ?? spawnRunner();
  refill();
  child.stdin.write(JSON.stringify({ module: Buffer.from(req.module).toString("base64"), args: req.args, env: req.env, stdin: Buffer.from(req.stdin).toString("base64") }));
  await child.stdin.end();

  let killed: RunResult["killed"] = null;
  const kill = (why: NonNullable<RunResult["killed"]>) => {
    killed ??= why;
    child.kill("SIGKILL");
  };
  const timer = setTimeout(() => kill("timeout"), req.timeoutMs);
  const onAbort = () => kill("timeout");
  signal?.addEventListener("abort", onAbort, { once: true });

  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  let outputBytes = 0;
  let exitCode: number | null = null;
  let error: string | null = null;
  const decoder = new TextDecoder();
  let pending = "";
  let finished = false;
  const reader = (child.stdout as ReadableStream<Uint8Array>).getReader();
  while (!finished) {
    const { done, value } = await reader.read();
    if (done) break;
    pending += decoder.decode(value, { stream: true });
    let nl: number;
    while (!finished && (nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let msg: { t: string; d?: string; code?: number; message?: string };
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      if (msg.t === "o" || msg.t === "e") {
        const bytes = Buffer.from(msg.d ?? "", "base64");
        outputBytes += bytes.length;
        if (outputBytes > req.maxOutputBytes) {
          kill("output_limit");
          continue;
        }
        (msg.t === "o" ? out : err).push(bytes);
        onOutput?.(msg.t === "o" ? "stdout" : "stderr", new TextDecoder().decode(bytes));
      } else if (msg.t === "x" || msg.t === "f") {
        if (msg.t === "x") exitCode = msg.code ?? null;
        else error = msg.message ?? "the module failed";
        // The result is in: the spent child need not be waited for while it tears its runtime down.
        finished = true;
        child.kill("SIGKILL");
      }
    }
  }
  void reader.cancel().catch(() => undefined);
  await child.exited;
  clearTimeout(timer);
  signal?.removeEventListener("abort", onAbort);
  return {
    exitCode: killed ? null : exitCode,
    stdout: Buffer.concat(out).toString("utf8"),
    stderr: Buffer.concat(err).toString("utf8"),
    durationMs: Math.round(performance.now() - started),
    killed,
    error: killed ? null : error,
  };
}
