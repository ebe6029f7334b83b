// Server-side WASM: run a sample app, an installed app or a caller's module in the sandbox pool,
// with the caller's files at /input and /output saved back into their storage.
import { AppError, ValidationError } from "../../errors.ts";
import { asObject } from "../validate.ts";
import { prepareModule } from "./module-check.ts";
import type { SandboxPool, OutputListener, RunResult } from "./sandbox-pool.ts";
import type { SavedOutput, WasmFiles } from "./wasm-files.ts";
import { sha256, type ModuleRef, type WasmRegistry } from "./wasm-registry.ts";

export interface WasmLimits {
  maxModuleBytes: number;
  maxMemoryMb: number;
  defaultMemoryMb: number;
  maxTimeoutMs: number;
  defaultTimeoutMs: number;
  maxOutputBytes: number;
}

export const WASM_LIMITS: WasmLimits = {
  maxModuleBytes: 16 * 1024 * 1024,
  maxMemoryMb: 512,
  defaultMemoryMb: 64,
  maxTimeoutMs: 60_000,
  defaultTimeoutMs: 10_000,
  maxOutputBytes: 4 * 1024 * 1024,
};

export interface ExecuteResult extends Omit<RunResult, "files"> {
  /** Files the app wrote under /output, as saved in the caller's storage. */
  outputs: SavedOutput[];
}

function strings(value: unknown, name: string, maxItems: number, maxLength: number): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > maxItems || !value.every((v) => typeof v === "string" && v.length <= maxLength)) {
    throw new ValidationError(`${name} must be a list of at most ${maxItems} strings (each at most ${maxLength} characters)`, { field: name });
  }
  return value;
}

function environment(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new ValidationError("env must be an object of strings", { field: "env" });
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 64 || !entries.every(([k, v]) => /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(k) && typeof v === "string" && v.length <= 4096)) {
    throw new ValidationError("env holds at most 64 variables with plain names and string values", { field: "env" });
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

function bounded(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) throw new ValidationError(`${name} must be a whole number from ${min} to ${max}`, { field: name });
  return value;
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
  ) {}

  /** Keep the sandbox processes started (from a second after start-up); clear what an interrupted run left behind. */
  start(): void {
    this.files.sweep();
    this.registry.sweep();
    this.pool.start(this.workers, 1000);
  }

  stop(): void {
    this.pool.stop();
  }

  /** Run `{ app | module (base64), args, stdin, env, files, output, timeoutMs, memoryMb }` for `owner`. */
  async execute(owner: string, body: unknown, onOutput?: OutputListener, signal?: AbortSignal): Promise<ExecuteResult> {
    const input = asObject(body);
    const memoryMb = bounded(input.memoryMb, "memoryMb", 1, this.limits.maxMemoryMb, this.limits.defaultMemoryMb);
    const timeoutMs = bounded(input.timeoutMs, "timeoutMs", 10, this.limits.maxTimeoutMs, this.limits.defaultTimeoutMs);
    const args = strings(input.args, "args", 64, 4096);
    const env = environment(input.env);
    if (input.stdin !== undefined && typeof input.stdin !== "string") throw new ValidationError("stdin must be a string", { field: "stdin" });
    const stdin = new TextEncoder().encode((input.stdin as string | undefined) ?? "");
    if (stdin.length > 1024 * 1024) throw new ValidationError("stdin is at most 1 MiB", { field: "stdin" });
    const { module, hash } = await this.prepare(this.moduleRef(owner, input), memoryMb);
    const { inputs, bytes } = this.files.inputs(owner, input.files);
    const appName = typeof input.app === "string" ? input.app : "module";
    const folder = this.files.outputFolder(owner, input.output, appName);

    const scratch = this.files.scratch();
    try {
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

  private moduleRef(owner: string, input: Record<string, unknown>): ModuleRef {
    if (typeof input.app === "string") return this.registry.module(owner, input.app);
    if (typeof input.module === "string") {
      if (input.module.length > Math.ceil((this.limits.maxModuleBytes * 4) / 3) + 4)
        throw new AppError(413, "wasm_module_too_large", `The module is larger than ${this.limits.maxModuleBytes} bytes`, { limit: this.limits.maxModuleBytes });
      const bytes = new Uint8Array(Buffer.from(input.module, "base64"));
      return { hash: sha256(bytes), bytes: async () => bytes };
    }
    throw new ValidationError("Say what to run: app (an app's name) or module (base64 of a .wasm)", { field: "app" });
  }
}
