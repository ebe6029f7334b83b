// One WASI sandbox process (workers/wasi-runner.ts): started when a run needs it, runs jobs one at a time,
// and is SIGKILLed when a job overruns (then replaced). Knows which modules it has compiled.
import { join } from "node:path";
import { lines } from "../../../workers/json-lines.ts";
import type { WasiEvent, WasiJob } from "../../../workers/wasi-protocol.ts";
import { COMPILED } from "../../build-constants.ts";
import { lowPriority } from "../../low-priority.ts";

const RUNNER = join(import.meta.dir, "..", "..", "..", "workers", "wasi-runner.ts");

/** Untrusted computation yields the CPU to the node's own work (requests keep answering under load). */
const NICE = lowPriority(10);

type JobEvent = Exclude<WasiEvent, { t: "ready" }>;

export class SandboxProcess {
  readonly ready: Promise<boolean>;
  readonly exited: Promise<number>;
  /** Hashes of the modules this process has compiled (sent once, then referred to by hash). */
  readonly modules = new Set<string>();
  moduleBytes = 0;
  /** Bytes of input and output files its jobs have held. */
  fileBytes = 0;
  jobs = 0;
  private onEvent: ((event: JobEvent) => void) | null = null;
  private readonly proc;

  /** `command`: the runner, unless a test gives another program (one that fails to start, say). */
  constructor(command: string[] = [process.execPath, ...(COMPILED ? [] : [RUNNER])]) {
    // The child: this program again in runner mode (binary), or bun on the runner file (source).
    this.proc = Bun.spawn([...NICE, ...command], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "ignore",
      // Only what the runner needs; a module's env is inside its job, never the node's.
      // PC2_PARENT_PID: the runner asks the kernel to end it when this process dies.
      env: { PC2_WASI_CHILD: "1", PC2_PARENT_PID: String(process.pid), PATH: "/usr/bin:/bin" },
    });
    this.exited = this.proc.exited;
    let markReady: (ok: boolean) => void = () => undefined;
    this.ready = new Promise((resolve) => (markReady = resolve));
    void this.exited.then(() => markReady(false));
    void this.read(markReady);
  }

  get pid(): number {
    return this.proc.pid;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  private async read(markReady: (ok: boolean) => void): Promise<void> {
    try {
      for await (const line of lines(this.proc.stdout as ReadableStream<Uint8Array>)) {
        const event = JSON.parse(line) as WasiEvent;
        if (event.t === "ready") markReady(true);
        else this.onEvent?.(event);
      }
    } catch {
      // The process was killed mid-line; `exited` tells the job.
    }
  }

  /** Send `job` (the module only if this process has not compiled it); events go to `onEvent`. */
  start(job: Omit<WasiJob, "module">, module: Uint8Array, onEvent: (event: JobEvent) => void): void {
    this.jobs++;
    this.onEvent = onEvent;
    const full: WasiJob = this.modules.has(job.hash) ? job : { ...job, module: Buffer.from(module).toString("base64") };
    if (!this.modules.has(job.hash)) {
      this.modules.add(job.hash);
      this.moduleBytes += module.length;
    }
    this.proc.stdin.write(JSON.stringify(full) + "\n");
    void this.proc.stdin.flush();
  }

  /** The current job is over; stop routing its events. */
  finish(): void {
    this.onEvent = null;
  }

  kill(): void {
    this.proc.kill("SIGKILL");
  }
}
