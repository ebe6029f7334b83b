// Runs for the sandbox pool's own tests: a built module made ready as the node would (memory capped),
// and a run request with the node's usual limits unless a test changes them.
import { prepareModule } from "../../server/services/wasm/module-check.ts";
import type { RunRequest } from "../../server/services/wasm/sandbox-pool.ts";
import { builtModule } from "./wasm-client.ts";

export const loadModule = (dir: "wasm-apps" | "wasm-fixtures", name: string) => prepareModule(builtModule(dir, name), 16, 16 << 20);

export const runRequest = (name: string, module: Uint8Array, extra: Partial<RunRequest> = {}): RunRequest => ({
  module,
  hash: name,
  args: [],
  env: {},
  stdin: new Uint8Array(0),
  inputs: [],
  inputBytes: 0,
  outputDir: null,
  timeoutMs: 10_000,
  maxOutputBytes: 1 << 20,
  maxOutputFiles: 0,
  maxOutputFileBytes: 0,
  ...extra,
});

/** The calc sample app on `expr`. */
export const calc = (expr: string, extra: Partial<RunRequest> = {}) => runRequest("calc", loadModule("wasm-apps", "calc"), { args: [expr], ...extra });
/** A module that prints "spinning" and loops until its time limit. */
export const spin = (timeoutMs: number) => runRequest("spin", loadModule("wasm-fixtures", "spin"), { timeoutMs });

/** An idle time no test reaches: processes retire for idleness only where a test sets a shorter one. */
export const LONG_IDLE_MS = 10 * 60_000;
