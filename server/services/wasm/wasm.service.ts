// Server-side WASM: run a sample app, an installed app or a caller's module in the sandbox pool,
// with the caller's files at /input and /output saved back into their storage.
import type { EventBus } from "../../events.ts";
import { fail, ValidationError } from "../../errors.ts";
import type { ExecuteBody } from "./wasm.schemas.ts";
import { WASM_LIMITS, type WasmLimits } from "./wasm-limits.ts";

export { WASM_LIMITS, type WasmLimits };
import { prepareModule } from "./module-check.ts";
import type { SandboxPool, OutputListener, RunResult } from "./sandbox-pool.ts";
import type { SavedOutput, WasmFiles } from "./wasm-files.ts";
import { sha256, type ModuleRef, type WasmRegistry } from "./wasm-registry.ts";

export interface ExecuteResult extends Omit<RunResult, "files"> {
  /** Files the app wrote under /output, as saved in the caller's storage. */
  outputs: SavedOutput[];
}

export class WasmService {
  /** Validated, memory-capped modules by hash of the original + cap (most recent last). */
  private readonly prepared = new Map<string, { module: Uint8Array; hash: string }>();
  private preparedBytes = 0;

  constructor(
    private readonly pool: SandboxPool,
    readonly registry: WasmRegistry,
    private readonly files: WasmFiles,
    /** Sandbox processes kept started. */
    private readonly workers: number,
    private readonly limits: WasmLimits = WASM_LIMITS,
    /** Where each finished run is told (the node's metrics). */
    private readonly events: EventBus | null = null,
  ) {}

  /** Runs waiting for a sandbox process. */
  queued(): number {
    return this.pool.queued();
  }

  /** Open the sandbox pool (its processes start with the first run); clear what an interrupted run left behind. */
  start(): void {
    this.files.sweep();
    this.registry.sweep();
    this.pool.start(this.workers);
  }

  stop(): void {
    this.pool.stop();
  }

  /** Run `{ app | module (base64), args, stdin, env, files, output, timeoutMs, memoryMb }` for `owner`. */
  async execute(owner: string, input: ExecuteBody, options: { onOutput?: OutputListener; signal?: AbortSignal } = {}): Promise<ExecuteResult> {
    const started = performance.now();
    let outcome = "error";
    try {
      const result = await this.run(owner, input, options);
      outcome = result.killed ?? (result.error ? "error" : "ok");
      return result;
    } finally {
      this.events?.emit("wasm.finished", { ms: performance.now() - started, outcome });
    }
  }

  private async run(owner: string, input: ExecuteBody, { onOutput, signal }: { onOutput?: OutputListener; signal?: AbortSignal }): Promise<ExecuteResult> {
    const memoryMb = input.memoryMb ?? this.limits.defaultMemoryMb;
    const timeoutMs = input.timeoutMs ?? this.limits.defaultTimeoutMs;
    const args = input.args ?? [];
    const env = input.env ?? {};
    const stdin = new TextEncoder().encode(input.stdin ?? "");
    if (stdin.length > 1024 * 1024) throw new ValidationError("stdin is at most 1 MiB", { field: "stdin" });
    const { module, hash } = await this.prepare(this.moduleRef(owner, input), memoryMb);
    const scratch = this.files.scratch();
    try {
      const { inputs, bytes } = this.files.inputs(owner, input.files, scratch);
      const appName = input.app ?? "module";
      const folder = this.files.outputFolder(owner, input.output, appName);
      const { limits } = this.files;
      const { files, ...result } = await this.pool.run(
        {
          module,
          hash,
          args,
          env,
          stdin,
          inputs,
          inputBytes: bytes,
          outputDir: scratch,
          timeoutMs,
          maxOutputBytes: this.limits.maxOutputBytes,
          maxOutputFiles: limits.maxOutputFiles,
          maxOutputFileBytes: limits.maxOutputBytes,
        },
        onOutput,
        signal,
      );
      let outputs: SavedOutput[] = [];
      try {
        outputs = await this.files.save(owner, folder, scratch, files);
      } catch (err) {
        result.error = `Saving /output failed: ${err instanceof Error ? err.message : String(err)}`;
      }
      return { ...result, outputs };
    } finally {
      this.files.discard(scratch);
    }
  }

  /** The validated module with its memory capped at `memoryMb`, from the cache when it is there. */
  private async prepare(ref: ModuleRef, memoryMb: number): Promise<{ module: Uint8Array; hash: string }> {
    const key = `${ref.hash}:${memoryMb}`;
    let entry = this.prepared.get(key);
    if (entry) this.prepared.delete(key);
    else {
      const module = prepareModule(await ref.bytes(), memoryMb, this.limits.maxModuleBytes);
      entry = { module, hash: sha256(module) };
      this.preparedBytes += module.length;
    }
    this.prepared.set(key, entry);
    for (const [k, v] of this.prepared) {
      if (this.preparedBytes <= 64 * 1024 * 1024) break;
      this.prepared.delete(k);
      this.preparedBytes -= v.module.length;
    }
    return entry;
  }

  private moduleRef(owner: string, input: ExecuteBody): ModuleRef {
    if (input.app !== undefined) return this.registry.module(owner, input.app);
    if (input.module !== undefined) {
      if (input.module.length > Math.ceil((this.limits.maxModuleBytes * 4) / 3) + 4)
        throw fail("wasm_module_too_large", `The module is larger than ${this.limits.maxModuleBytes} bytes`, { limit: this.limits.maxModuleBytes });
      const bytes = new Uint8Array(Buffer.from(input.module, "base64"));
      return { hash: sha256(bytes), bytes: async () => bytes };
    }
    throw new ValidationError("Say what to run: app (an app's name) or module (base64 of a .wasm)", { field: "app" });
  }
}
