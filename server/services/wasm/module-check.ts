// WASM module checks before anything runs: magic and version, imports only from WASI, a size limit,
// and every memory's maximum rewritten to the cap (a worker has no memory limit of its own).
import type { ErrorCode } from "../../error-codes.ts";
import { AppError, fail } from "../../errors.ts";

export const ALLOWED_IMPORT_MODULES = new Set(["wasi_snapshot_preview1", "wasi_unstable"]);
const PAGE = 65536;

export class InvalidModuleError extends AppError {
  constructor(message: string, code: ErrorCode = "invalid_wasm_module") {
    super(400, code, message);
  }
}

class Reader {
  constructor(
    readonly b: Uint8Array,
    public at = 0,
  ) {}
  byte(): number {
    if (this.at >= this.b.length) throw new InvalidModuleError("The module is truncated");
    return this.b[this.at++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
    throw new InvalidModuleError("The module has a malformed number");
  }
  name(): string {
    const n = this.u32();
    if (this.at + n > this.b.length) throw new InvalidModuleError("The module is truncated");
    let s: string;
    try {
      s = new TextDecoder("utf-8", { fatal: true }).decode(this.b.subarray(this.at, this.at + n));
    } catch {
      throw new InvalidModuleError("The module has a name that is not UTF-8");
    }
    this.at += n;
    return s;
  }
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

function skipLimits(r: Reader): void {
  const flags = r.byte();
  r.u32();
  if (flags & 1) r.u32();
}

/** Check the imports section: only WASI functions; no imported memory, table or globals from elsewhere. */
function checkImports(r: Reader, end: number): void {
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const module = r.name();
    const field = r.name();
    const kind = r.byte();
    if (!ALLOWED_IMPORT_MODULES.has(module)) throw new InvalidModuleError(`The module imports "${module}.${field}"; only WASI (wasi_snapshot_preview1) is allowed`, "forbidden_import");
    if (kind === 0) r.u32();
    else if (kind === 1) r.byte(), skipLimits(r);
    else if (kind === 2) throw new InvalidModuleError("The module imports its memory; it must define its own", "forbidden_import");
    else if (kind === 3) r.byte(), r.byte();
    else throw new InvalidModuleError("The module has an unknown import kind");
  }
  if (r.at !== end) throw new InvalidModuleError("The import section is malformed");
}

/** Check the export section for `_start`, the entry point of a WASI command. */
function exportsStart(r: Reader, end: number): boolean {
  const count = r.u32();
  let found = false;
  for (let i = 0; i < count; i++) {
    const name = r.name();
    const kind = r.byte();
    r.u32();
    if (name === "_start" && kind === 0) found = true;
  }
  if (r.at !== end) throw new InvalidModuleError("The export section is malformed");
  return found;
}

/** The memory section with every maximum set to at most `capPages` (and a minimum that fits under it). */
function cappedMemories(r: Reader, end: number, capPages: number): Uint8Array {
  const count = r.u32();
  const out: number[] = [...leb(count)];
  for (let i = 0; i < count; i++) {
    const flags = r.byte();
    const min = r.u32();
    const max = flags & 1 ? r.u32() : Infinity;
    if (flags & ~1) throw new InvalidModuleError("Shared or 64-bit memories are not supported");
    if (min > capPages)
      throw new InvalidModuleError(`The module needs ${Math.ceil((min * PAGE) / 2 ** 20)} MiB of memory at start; the limit is ${(capPages * PAGE) / 2 ** 20} MiB`, "memory_limit_exceeded");
    out.push(1, ...leb(min), ...leb(Math.min(max, capPages)));
  }
  if (r.at !== end) throw new InvalidModuleError("The memory section is malformed");
  return Uint8Array.from(out);
}

/** Validate `bytes` and return the module to run, with its memory capped at `memoryMb`. */
export function prepareModule(bytes: Uint8Array, memoryMb: number, maxBytes: number): Uint8Array {
  if (bytes.length > maxBytes) throw fail("wasm_module_too_large", `The module is larger than ${maxBytes} bytes`, { limit: maxBytes });
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new InvalidModuleError("This is not a WebAssembly module (bad magic number)");
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) throw new InvalidModuleError("Only WebAssembly version 1 modules are supported");
  const capPages = Math.floor((memoryMb * 2 ** 20) / PAGE);
  const r = new Reader(bytes, 8);
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let hasStart = false;
  while (r.at < bytes.length) {
    const start = r.at;
    const id = r.byte();
    const size = r.u32();
    const body = r.at;
    const end = body + size;
    if (end > bytes.length) throw new InvalidModuleError("The module is truncated");
    if (id === 2) checkImports(new Reader(bytes, body), end);
    if (id === 7) hasStart = exportsStart(new Reader(bytes, body), end);
    if (id === 5) {
      const section = cappedMemories(new Reader(bytes, body), end, capPages);
      parts.push(Uint8Array.from([5, ...leb(section.length)]), section);
    } else {
      parts.push(bytes.subarray(start, end));
    }
    r.at = end;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), (at += p.length);
  if (!WebAssembly.validate(out)) throw new InvalidModuleError("The module does not validate");
  // A module that imports nothing is still a program; one without _start is a library, not a command.
  if (!hasStart) throw new InvalidModuleError("The module exports no _start function: PC2 runs WASI commands (programs with a main), not libraries", "wasm_not_a_command");
  return out;
}
