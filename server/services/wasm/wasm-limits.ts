// What a WASM run may use at most (and its defaults): modules, memory, time, output.

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
