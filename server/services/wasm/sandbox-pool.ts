// The WASI sandbox pool: a few started processes (SandboxProcess) that take one job at a time.
// Limits per job: wall time (SIGKILL, then a fresh process), stdout+stderr bytes, /output caps;
// memory is capped in the module itself. A process is retired after many jobs or much data, since
// the runtime's heap never shrinks. Jobs beyond the pool wait in a bounded queue. Processes start
// when runs need them (none at the node's start) and stop after IDLE_MS without a run.
import { ServiceUnavailableError } from "../../errors.ts";
import type { WasiJob } from "../../../workers/wasi-protocol.ts";
import { SandboxProcess } from "./sandbox-process.ts";

export interface RunRequest {
  module: Uint8Array;
  /** Content hash of `module`: processes keep compiled modules by it. */
  hash: string;
  args: string[];
  env: Record<string, string>;
  stdin: Uint8Array;
  inputs: WasiJob["inputs"];
  inputBytes: number;
  outputDir: string | null;
  timeoutMs: number;
  /** Cap on stdout + stderr. */
  maxOutputBytes: number;
  maxOutputFiles: number;
  maxOutputFileBytes: number;
}

export interface OutputFile {
  /** Host file holding it: `<outputDir>/<index>`. */
  index: number;
  /** Its path under /output. */
  name: string;
  size: number;
}

export interface RunResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  files: OutputFile[];
  durationMs: number;
  /** Why the sandbox stopped the module, if it did. */
  killed: "timeout" | "output_limit" | "cancelled" | null;
  /** A trap, a load failure (e.g. memory exhausted) or /output over its caps. */
  error: string | null;
}

export type OutputListener = (stream: "stdout" | "stderr", text: string) => void;

const IDLE_CHECK_MS = 30_000;

/**
 * When a process is replaced after a job: the runtime's heap never shrinks, a process keeps every
 * module it compiled, and wasmer does not release a run's in-memory files.
 */
export interface ProcessWear {
  /** Jobs it has run. */
  jobs: number;
  /** More than this many bytes of compiled modules. */
  moduleBytes: number;
  /** More than this many bytes of input and output files. */
  fileBytes: number;
}
/** The limits in force (docs/security.md states them). */
export const WEAR: ProcessWear = { jobs: 500, moduleBytes: 64 * 1024 * 1024, fileBytes: 64 * 1024 * 1024 };

export class SandboxPool {
  private idle: SandboxProcess[] = [];
  private busy = 0;
  private starting = 0;
  private readonly waiting: { resolve: (p: SandboxProcess | null) => void; reject: (e: Error) => void }[] = [];
  private size = 0;
  private nextId = 1;
  private idleTimer: ReturnType<typeof setInterval> | null = null;
  private lastRun = 0;

  constructor(
    private readonly maxQueue: number,
    /** Sandbox processes nobody has used for this long are stopped (the next run starts them again): PC2_WASM_IDLE_SECONDS. */
    private readonly idleMs: number,
    private readonly wear: ProcessWear = WEAR,
    private readonly spawn: () => SandboxProcess = () => new SandboxProcess(),
  ) {}

  /** Jobs waiting for a process. */
  queued(): number {
    return this.waiting.length;
  }

  /**
   * At most `size` processes and `size` jobs running at once. No process starts until a run needs
   * one (a node where nobody runs WASM keeps none); one more starts when a run finds every started
   * process busy. After `idleMs` without a run they are all stopped (their memory goes back to the
   * machine) and the next run starts one again.
   */
  start(size: number, idleMs = this.idleMs): void {
    this.size = size;
    this.lastRun = performance.now();
    this.idleTimer = setInterval(() => this.retireIfIdle(idleMs), Math.min(idleMs, IDLE_CHECK_MS));
    this.idleTimer.unref?.();
  }

  /** Sandbox processes started now (running a job or ready for one). */
  processes(): number {
    return this.idle.length + this.busy + this.starting;
  }

  private retireIfIdle(idleMs: number): void {
    if (this.busy > 0 || this.starting > 0 || this.waiting.length > 0 || performance.now() - this.lastRun < idleMs) return;
    for (const p of this.idle.splice(0)) p.kill();
  }

  stop(): void {
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.size = 0;
    for (const p of this.idle.splice(0)) p.kill();
    for (const w of this.waiting.splice(0)) w.reject(new ServiceUnavailableError("The node is stopping", "node_stopping"));
  }

  /** Start processes for the runs that wait for one (those already starting count), up to `size`. */
  private refill(): void {
    if (this.size === 0) return;
    while (this.starting < this.waiting.length && this.processes() < this.size) {
      this.starting++;
      const p = this.spawn();
      void p.ready.then((ok) => {
        this.starting--;
        if (ok && this.size > 0) return this.release(p);
        p.kill();
        if (!ok) this.startFailed();
      });
    }
  }

  /**
   * A process did not start (the runner crashed, the machine is out of memory or processes). With no
   * other process that could take them, the runs waiting for it are refused now rather than left
   * waiting: the caller hears why. With others (busy), they wait for those; the next run tries again.
   */
  private startFailed(): void {
    if (this.processes() > 0) return;
    for (const w of this.waiting.splice(0)) w.reject(new ServiceUnavailableError("The WASM sandbox could not start; try again shortly", "wasm_sandbox_failed"));
  }

  /** Hand `p` to the next waiting job, or keep it idle. */
  private release(p: SandboxProcess): void {
    const next = this.waiting.shift();
    if (next) {
      this.busy++;
      next.resolve(p);
    } else this.idle.push(p);
  }

  /** A process for one job; null when `signal` fired while the job was waiting. */
  private acquire(signal?: AbortSignal): Promise<SandboxProcess | null> {
    this.lastRun = performance.now();
    const p = this.idle.shift();
    if (p) {
      this.busy++;
      return Promise.resolve(p);
    }
    if (this.size === 0) return Promise.reject(new ServiceUnavailableError("WASM apps are not running on this node", "wasm_unavailable"));
    if (this.waiting.length >= this.maxQueue) return Promise.reject(new ServiceUnavailableError("Too many WASM runs are waiting; try again shortly", "wasm_busy"));
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      this.waiting.push(waiter);
      this.refill();
      signal?.addEventListener(
        "abort",
        () => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1), resolve(null);
        },
        { once: true },
      );
    });
  }

  /** After a job: back to the pool, or retired (and replaced) when killed or worn. */
  private done(p: SandboxProcess, fileBytes: number): void {
    this.busy--;
    this.lastRun = performance.now();
    p.fileBytes += fileBytes;
    const worn = p.jobs >= this.wear.jobs || p.moduleBytes > this.wear.moduleBytes || p.fileBytes > this.wear.fileBytes;
    if (p.alive && !worn && this.size > 0) this.release(p);
    else p.kill();
    this.refill();
  }

  async run(req: RunRequest, onOutput?: OutputListener, signal?: AbortSignal): Promise<RunResult> {
    const started = performance.now();
    if (signal?.aborted) return cancelledBeforeStart(started);
    const p = await this.acquire(signal);
    if (!p) return cancelledBeforeStart(started);
    // Cancelled in the moment between getting the process and listening for it: the job never starts.
    if (signal?.aborted) {
      this.done(p, 0);
      return cancelledBeforeStart(started);
    }
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    const files: OutputFile[] = [];
    let outputBytes = 0;
    let guestWritten = 0;
    let killed: RunResult["killed"] = null;
    let exitCode: number | null = null;
    let error: string | null = null;

    const outcome = new Promise<void>((resolve) => {
      const kill = (why: NonNullable<RunResult["killed"]>) => {
        killed ??= why;
        p.kill();
      };
      const timer = setTimeout(() => kill("timeout"), req.timeoutMs);
      const onAbort = () => kill("cancelled");
      signal?.addEventListener("abort", onAbort, { once: true });
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        p.finish();
        resolve();
      };
      void p.exited.then(() => {
        if (exitCode === null && error === null && !killed) error = "The sandbox process stopped unexpectedly";
        end();
      });
      p.start(
        {
          id: this.nextId++,
          hash: req.hash,
          args: req.args,
          env: req.env,
          stdin: Buffer.from(req.stdin).toString("base64"),
          inputs: req.inputs,
          outputDir: req.outputDir,
          maxOutputFiles: req.maxOutputFiles,
          maxOutputBytes: req.maxOutputFileBytes,
        },
        req.module,
        (event) => {
          if (killed) return;
          if (event.t === "o" || event.t === "e") {
            const bytes = Buffer.from(event.d, "base64");
            outputBytes += bytes.length;
            if (outputBytes > req.maxOutputBytes) return kill("output_limit");
            (event.t === "o" ? out : err).push(bytes);
            onOutput?.(event.t === "o" ? "stdout" : "stderr", bytes.toString("utf8"));
          } else if (event.t === "file") files.push({ index: event.index, name: event.name, size: event.size });
          else {
            if (event.t === "x") exitCode = event.code;
            if (event.t === "f") error = event.message;
            guestWritten = ("written" in event ? event.written : 0) ?? 0;
            end();
          }
        },
      );
    });
    await outcome;
    // Everything the guest wrote stays in the process's memory (wasmer does not free it): count it all.
    const fileBytes =
      req.inputBytes +
      Math.max(
        guestWritten,
        files.reduce((n, f) => n + f.size, 0),
      );
    this.done(p, fileBytes);
    return {
      exitCode: killed ? null : exitCode,
      stdout: Buffer.concat(out).toString("utf8"),
      stderr: Buffer.concat(err).toString("utf8"),
      files: killed || error ? [] : files,
      durationMs: Math.max(1, Math.round(performance.now() - started)),
      killed,
      error: killed ? null : error,
    };
  }
}

function cancelledBeforeStart(started: number): RunResult {
  return { exitCode: null, stdout: "", stderr: "", files: [], durationMs: Math.round(performance.now() - started), killed: "cancelled", error: null };
}
