// Server-side WASM: run a sample app (built from source in this repo) or a caller's module, sandboxed.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { NotFoundError, ValidationError } from "../../errors.ts";
import { asObject } from "../validate.ts";
import { prepareModule } from "./module-check.ts";
import { drainWarmPool, runSandboxed, setWarmPool, type OutputListener, type RunResult } from "./wasm-sandbox.ts";

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

/** Sample apps as name → file: dist/wasm-apps when running from source, embedded files in the binary. */
export type WasmApps = Record<string, string>;

export function appsInDir(dir: string): WasmApps {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith(".wasm")).map((f) => [f.slice(0, -5), join(dir, f)]));
}

export class WasmService {
  constructor(
    private readonly sampleApps: WasmApps,
    private readonly limits: WasmLimits = WASM_LIMITS,
  ) {}

  /** Keep `size` sandbox processes started and waiting, so a run skips process start-up. */
  start(size = 2): void {
    setWarmPool(size);
  }

  stop(): void {
    drainWarmPool();
  }

  /** The sample apps available on this node. */
  apps(): { name: string }[] {
    return Object.keys(this.sampleApps).sort().map((name) => ({ name }));
  }

  /** Run `{ app | module (base64), args, stdin, env, timeoutMs, memoryMb }` in the sandbox. */
  async execute(body: unknown, onOutput?: OutputListener, signal?: AbortSignal): Promise<RunResult> {
    const input = asObject(body);
    const memoryMb = bounded(input.memoryMb, "memoryMb", 1, this.limits.maxMemoryMb, this.limits.defaultMemoryMb);
    const module = prepareModule(await this.moduleBytes(input), memoryMb, this.limits.maxModuleBytes);
    const stdin = typeof input.stdin === "string" ? new TextEncoder().encode(input.stdin) : new Uint8Array(0);
    if (input.stdin !== undefined && typeof input.stdin !== "string") throw new ValidationError("stdin must be a string", { field: "stdin" });
    if (stdin.length > 1024 * 1024) throw new ValidationError("stdin is at most 1 MiB", { field: "stdin" });
    return runSandboxed(
      {
        module,
        args: strings(input.args, "args", 64, 4096),
        env: environment(input.env),
        stdin,
        timeoutMs: bounded(input.timeoutMs, "timeoutMs", 10, this.limits.maxTimeoutMs, this.limits.defaultTimeoutMs),
        maxOutputBytes: this.limits.maxOutputBytes,
      },
      onOutput,
      signal,
    );
  }

  private async moduleBytes(input: Record<string, unknown>): Promise<Uint8Array> {
    if (typeof input.app === "string") {
      const file = Object.hasOwn(this.sampleApps, input.app) ? this.sampleApps[input.app] : undefined;
      if (!file) throw new NotFoundError(`No app named ${String(input.app).slice(0, 64)}`, "wasm_app_not_found");
      return new Uint8Array(await Bun.file(file).arrayBuffer());
    }
    if (typeof input.module === "string") {
      if (input.module.length > Math.ceil((this.limits.maxModuleBytes * 4) / 3) + 4) throw new ValidationError(`The module is larger than ${this.limits.maxModuleBytes} bytes`);
      return new Uint8Array(Buffer.from(input.module, "base64"));
    }
    throw new ValidationError("Say what to run: app (a sample app's name) or module (base64 of a .wasm)", { field: "app" });
  }
}
