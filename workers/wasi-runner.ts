// A WASI sandbox process: runs jobs one at a time, each in a fresh WASI instance with its own
// in-memory file system, and keeps compiled modules by content hash. A separate process, because a
// module stuck in a loop can only be stopped for sure with SIGKILL (a Worker cannot be terminated
// mid-WASM); the node kills this process at a job's time limit and starts another.
// In: WasiJob JSON lines on stdin. Out: WasiEvent JSON lines on stdout.
import { writeSync } from "node:fs";
import { init, WASI } from "@wasmer/wasi";
import { dieWithParent } from "./die-with-parent.ts";
import { lines } from "./json-lines.ts";
import { collectOutputs, guestFs, INPUT } from "./wasi-memfs.ts";
import type { WasiEvent, WasiJob } from "./wasi-protocol.ts";
import { ReadonlyGuard } from "./wasi-readonly-guard.ts";
import { WriteBudget } from "./wasi-write-budget.ts";

type Imports = Record<string, Record<string, (...a: any[]) => any>>;

/** Synchronous, so events leave in order and at once (no stream buffering between guest writes). */
function emit(msg: WasiEvent): void {
  const bytes = Buffer.from(JSON.stringify(msg) + "\n");
  for (let done = 0; done < bytes.length; ) done += writeSync(1, bytes, done);
}

/**
 * proc_exit, ours: wasmer's own unwinds in a way that leaves its instance and file system locked
 * (no /output could be read after `exit(0)`); a plain exception unwinds the guest cleanly.
 */
class GuestExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

const compiled = new Map<string, WebAssembly.Module>();

async function moduleFor(job: WasiJob): Promise<WebAssembly.Module> {
  let module = compiled.get(job.hash);
  if (!module) {
    if (!job.module) throw new Error("the module was not sent");
    module = await WebAssembly.compile(Buffer.from(job.module, "base64"));
    compiled.set(job.hash, module);
  }
  return module;
}

/** Stream the guest's stdout and stderr as written (wasmer would buffer them until the end). */
function streamStdio(imports: Imports, id: number, memory: () => WebAssembly.Memory): void {
  const wasi = imports.wasi_snapshot_preview1!;
  const original = wasi.fd_write!;
  wasi.fd_write = (fd: number, iovs: number, count: number, written: number): number => {
    if (fd !== 1 && fd !== 2) return original(fd, iovs, count, written);
    const buffer = memory().buffer;
    const view = new DataView(buffer);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < count; i++) {
      const len = view.getUint32(iovs + i * 8 + 4, true);
      chunks.push(new Uint8Array(buffer, view.getUint32(iovs + i * 8, true), len));
      total += len;
    }
    emit({ id, t: fd === 1 ? "o" : "e", d: Buffer.concat(chunks).toString("base64") });
    view.setUint32(written, total, true);
    return 0;
  };
}

/** Bytes the current job wrote to its files, for the node's retirement count (also after a failure). */
let written = () => 0;

async function run(job: WasiJob): Promise<void> {
  written = () => 0;
  const module = await moduleFor(job);
  const { fs, preopens } = guestFs(job);
  const wasi = new WASI({ args: ["app", ...job.args], env: job.env, fs, preopens });
  try {
    // A module that imports nothing is a program too (it cannot touch files or print): run it bare,
    // since wasmer cannot tell the WASI version of a module without WASI imports.
    const usesWasi = WebAssembly.Module.imports(module).length > 0;
    let instance: WebAssembly.Instance;
    let memory: WebAssembly.Memory | null = null;
    const budget = new WriteBudget(job.maxOutputBytes, job.maxOutputFiles, () => memory!);
    written = () => budget.written();
    if (usesWasi) {
      wasi.setStdinBuffer(Buffer.from(job.stdin, "base64"));
      const imports = wasi.getImports(module) as Imports;
      const guard = new ReadonlyGuard(INPUT);
      const raw = imports.wasi_snapshot_preview1!;
      // Refusals first (nothing is charged for a write that is refused), then the caps.
      imports.wasi_snapshot_preview1 = budget.wrap(guard.wrap(raw));
      streamStdio(imports, job.id, () => memory!);
      imports.wasi_snapshot_preview1!.proc_exit = (code: number) => {
        throw new GuestExit(code);
      };
      instance = await WebAssembly.instantiate(module, imports as WebAssembly.Imports);
      memory = instance.exports.memory as WebAssembly.Memory;
      wasi.instantiate(instance, {});
      guard.attach(memory, raw);
    } else instance = await WebAssembly.instantiate(module, {});
    // _start is called here, not through wasi.start(): an exception must not unwind through wasmer's frames.
    const start = instance.exports._start;
    if (typeof start !== "function") throw new Error("The module has no _start function (not a WASI command)");
    let code = 0;
    try {
      (start as () => void)();
    } catch (err) {
      if (!(err instanceof GuestExit)) throw err;
      code = err.code;
    }
    // Through wasi.fs: the handle given to the constructor reports a lock error once the guest has exited.
    if (usesWasi && code === 0 && job.outputDir) await collectOutputs(wasi.fs, job, (index, name, size) => emit({ id: job.id, t: "file", index, name, size }));
    emit({ id: job.id, t: "x", code, written: budget.written() });
  } finally {
    // The file system goes with the instance (the handle given to the constructor cannot be freed apart).
    wasi.free();
  }
}

export async function runWasiChild(): Promise<void> {
  // Ends with the node, even while a guest loops (the node passes its pid; see die-with-parent.ts).
  const parent = Number(process.env.PC2_PARENT_PID);
  if (Number.isInteger(parent) && parent > 1) dieWithParent(parent);
  await init();
  emit({ t: "ready" });
  for await (const line of lines(Bun.stdin.stream())) {
    const job = JSON.parse(line) as WasiJob;
    try {
      await run(job);
    } catch (err) {
      emit({ id: job.id, t: "f", message: err instanceof Error ? err.message : String(err), written: written() });
    }
  }
  process.exit(0);
}

if (import.meta.main) await runWasiChild();
