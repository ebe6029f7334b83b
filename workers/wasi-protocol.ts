// Messages between the node and a WASI sandbox process (JSON lines over the child's stdin/stdout).

/** One run. `module` (base64) is sent only the first time a process sees `hash`; it then caches the compiled module. */
export interface WasiJob {
  id: number;
  hash: string;
  module?: string;
  args: string[];
  env: Record<string, string>;
  /** base64 */
  stdin: string;
  /** Host files copied into the guest's /input (read-only there), by guest file name. */
  inputs: { name: string; hostPath: string }[];
  /** Where the guest's /output files are written on the host after a clean exit; none: no /output. */
  outputDir: string | null;
  /** Caps on the files the guest writes (anywhere in its file system), checked on every write, and on what /output may hold. */
  maxOutputFiles: number;
  maxOutputBytes: number;
}

export type WasiEvent =
  /** The process has started and initialised the WASI runtime; it takes jobs now. */
  | { t: "ready" }
  /** stdout ("o") or stderr ("e") bytes as the guest wrote them (base64). */
  | { id: number; t: "o" | "e"; d: string }
  /** A file of /output, written to `<outputDir>/<index>`; `name` is its path relative to /output. */
  | { id: number; t: "file"; index: number; name: string; size: number }
  /** The guest exited with `code`; every file event came before. `written`: bytes it wrote to files (kept in the process's memory). */
  | { id: number; t: "x"; code: number; written: number }
  /** The module failed: a trap, a load error, or its files over their caps (checked on every write). */
  | { id: number; t: "f"; message: string; written?: number };
