// The WASI sandbox's child process: runs one module and exits. A separate process, because a module
// stuck in a loop can only be stopped for sure with SIGKILL (a Worker cannot be terminated mid-WASM).
// In: one JSON line on stdin. Out: JSON lines on stdout ({t:"o"|"e", d: base64} as the module writes,
// then {t:"x", code} or {t:"f", message}).
import { init, WASI } from "@wasmer/wasi";

export interface RunnerJob {
  module: string;
  args: string[];
  env: Record<string, string>;
  stdin: string;
}

function emit(msg: object): void {
  process.stdout.write(JSON.stringify(msg) + "\n");
}

export async function runWasiChild(): Promise<void> {
  // Ready before the job arrives: a pooled child has already paid for start-up and init().
  const ready = init();
  const job = JSON.parse(await Bun.stdin.text()) as RunnerJob;
  try {
    await ready;
    const module = await WebAssembly.compile(Buffer.from(job.module, "base64"));
    const wasi = new WASI({ args: ["app", ...job.args], env: job.env });
    wasi.setStdinBuffer(Buffer.from(job.stdin, "base64"));
    const imports = wasi.getImports(module) as Record<string, Record<string, unknown>>;
    let memory: WebAssembly.Memory | null = null;
    // wasmer buffers stdout until the end; our own fd_write for 1 and 2 streams it as it is written.
    const original = imports.wasi_snapshot_preview1!.fd_write as (...a: number[]) => number;
    imports.wasi_snapshot_preview1!.fd_write = (fd: number, iovs: number, count: number, written: number): number => {
      if ((fd !== 1 && fd !== 2) || !memory) return original(fd, iovs, count, written);
      const view = new DataView(memory.buffer);
      let total = 0;
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < count; i++) {
        const ptr = view.getUint32(iovs + i * 8, true);
        const len = view.getUint32(iovs + i * 8 + 4, true);
        chunks.push(new Uint8Array(memory.buffer, ptr, len).slice());
        total += len;
      }
      emit({ t: fd === 1 ? "o" : "e", d: Buffer.concat(chunks).toString("base64") });
      view.setUint32(written, total, true);
      return 0;
    };
    const instance = await WebAssembly.instantiate(module, imports as WebAssembly.Imports);
    memory = instance.exports.memory as WebAssembly.Memory;
    wasi.instantiate(instance, {});
    let code: number;
    try {
      code = wasi.start(instance);
    } catch (err) {
      // proc_exit surfaces as an exception carrying the code in some paths; a trap is a crash.
      const m = /exit(?:ed)? with (?:code )?(\d+)/i.exec(String(err));
      if (!m) throw err;
      code = Number(m[1]);
    }
    emit({ t: "x", code });
  } catch (err) {
    emit({ t: "f", message: err instanceof Error ? err.message : String(err) });
  }
  process.exit(0);
}

if (import.meta.main) await runWasiChild();
