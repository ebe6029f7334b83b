// The WASM module check on bytes built by hand: the header byte by byte, every limit at and past its
// edge, truncation and malformed numbers, the import rules, memory rewritten to the cap, and each
// refusal's code and text (a module's author reads them).
import { describe, expect, test } from "bun:test";
import { prepareModule } from "../../server/services/wasm/module-check.ts";

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const bytesOf = (s: string) => [...new TextEncoder().encode(s)];
const name = (s: string) => [s.length, ...bytesOf(s)];
const section = (id: number, body: number[]) => [id, body.length, ...body];
const TYPES = section(1, [1, 0x60, 0, 0]); // one type: () -> ()
const FUNCS = section(3, [1, 0]);
const START = section(7, [1, ...name("_start"), 0, 0]);
const CODE = section(10, [1, 2, 0, 0x0b]);
/** A WASI command with optional import and memory sections, in section order. */
function command(opts: { imports?: number[]; memory?: number[]; exports?: number[]; code?: number[] } = {}): Uint8Array {
  return Uint8Array.from([
    ...HEADER,
    ...TYPES,
    ...(opts.imports ? section(2, opts.imports) : []),
    ...FUNCS,
    ...(opts.memory ? section(5, opts.memory) : []),
    ...(opts.exports ?? START),
    ...(opts.code ?? CODE),
  ]);
}
const MB = 1 << 20;
function refusal(bytes: Uint8Array, memoryMb = 16, maxBytes = MB): { status: number; code: string; message: string; limit?: unknown } {
  try {
    prepareModule(bytes, memoryMb, maxBytes);
  } catch (err) {
    const e = err as { status: number; code: string; message: string; extra?: { limit?: unknown } };
    return { status: e.status, code: e.code, message: e.message, ...(e.extra?.limit === undefined ? {} : { limit: e.extra.limit }) };
  }
  throw new Error("accepted");
}

describe("the header", () => {
  test("a command passes unchanged when it has no memory to cap", () => {
    expect(prepareModule(command(), 16, MB)).toEqual(command());
  });

  test("each byte of the magic number, and fewer than 8 bytes, are refused as not WebAssembly", () => {
    for (const at of [0, 1, 2, 3]) {
      const bad = command();
      bad[at] = bad[at]! ^ 0xff;
      expect([at, refusal(bad)]).toEqual([at, { status: 400, code: "invalid_wasm_module", message: "This is not a WebAssembly module (bad magic number)" }]);
    }
    expect(refusal(Uint8Array.from(HEADER.slice(0, 7))).message).toBe("This is not a WebAssembly module (bad magic number)");
    // Exactly the header: a module, but an empty one.
    expect(refusal(Uint8Array.from(HEADER)).code).toBe("wasm_not_a_command");
  });

  test("each byte of the version", () => {
    for (const at of [4, 5, 6, 7]) {
      const bad = command();
      bad[at] = at === 4 ? 2 : 1;
      expect([at, refusal(bad).message]).toEqual([at, "Only WebAssembly version 1 modules are supported"]);
    }
  });

  test("the size limit: exactly at it passes, one byte over is refused with the limit", () => {
    const m = command();
    expect(() => prepareModule(m, 16, m.length)).not.toThrow();
    expect(refusal(m, 16, m.length - 1)).toEqual({ status: 413, code: "wasm_module_too_large", message: `The module is larger than ${m.length - 1} bytes`, limit: m.length - 1 });
  });
});

describe("reading the sections", () => {
  test("a section that claims more bytes than there are, or that ends mid-number, is truncated", () => {
    expect(refusal(Uint8Array.from([...HEADER, 1, 10, 1, 0x60]))).toMatchObject({ code: "invalid_wasm_module", message: "The module is truncated" });
    expect(refusal(Uint8Array.from([...HEADER, 1])).message).toBe("The module is truncated");
    expect(refusal(Uint8Array.from([...HEADER, 1, 0x80])).message).toBe("The module is truncated");
  });

  test("a last section whose items run past the end of the module is truncated, not malformed", () => {
    // The memory section ends the module: two memories claimed and one there, or one whose minimum
    // is missing (the very next byte is the one past the end).
    expect(refusal(Uint8Array.from([...HEADER, ...section(5, [2, 0, 1])])).message).toBe("The module is truncated");
    expect(refusal(Uint8Array.from([...HEADER, ...section(5, [1, 0])])).message).toBe("The module is truncated");
  });

  test("a number longer than five bytes is malformed; five bytes are read", () => {
    expect(refusal(Uint8Array.from([...HEADER, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00])).message).toBe("The module has a malformed number");
    // Five bytes, the last one ending the number: a custom section of 2 bytes (its name, "a") is read.
    expect(refusal(Uint8Array.from([...HEADER, 0, 0x82, 0x80, 0x80, 0x80, 0x00, 1, 0x61])).code).toBe("wasm_not_a_command");
  });

  test("a name that runs past its section, or is not UTF-8", () => {
    expect(refusal(command({ imports: [1, 40, ...bytesOf("wasi")] })).message).toBe("The module is truncated");
    expect(refusal(command({ imports: [1, 2, 0xff, 0xfe, 1, 0x61, 0, 0] })).message).toBe("The module has a name that is not UTF-8");
  });

  test("an export section with bytes left over is malformed", () => {
    expect(refusal(command({ exports: section(7, [1, ...name("_start"), 0, 0, 0]) }))).toMatchObject({ code: "invalid_wasm_module", message: "The export section is malformed" });
  });

  test("an export named _start that is not a function (here the memory) does not make a command", () => {
    expect(refusal(command({ memory: [1, 0, 1], exports: section(7, [1, ...name("_start"), 2, 0]) })).code).toBe("wasm_not_a_command");
  });

  test("no _start: a library, not a command", () => {
    expect(refusal(command({ exports: section(7, [0]) }))).toMatchObject({
      code: "wasm_not_a_command",
      message: "The module exports no _start function: PC2 runs WASI commands (programs with a main), not libraries",
    });
  });

  test("a module that does not validate", () => {
    expect(refusal(command({ code: section(10, [1, 3, 0, 0x6a, 0x0b]) }))).toMatchObject({ code: "invalid_wasm_module", message: "The module does not validate" });
  });
});

describe("imports", () => {
  const fdWrite = (module: string) => [1, ...name(module), ...name("proc_exit"), 0, 0];

  test("functions from either WASI version", () => {
    for (const module of ["wasi_snapshot_preview1", "wasi_unstable"]) expect(() => prepareModule(command({ imports: fdWrite(module) }), 16, MB)).not.toThrow();
  });

  test("anything else is refused by name", () => {
    expect(refusal(command({ imports: fdWrite("env") }))).toMatchObject({
      code: "forbidden_import",
      message: 'The module imports "env.proc_exit"; only WASI (wasi_snapshot_preview1) is allowed',
    });
  });

  test("a table's limits are read with and without a maximum; a memory import is refused", () => {
    const table = (limits: number[]) => [1, ...name("wasi_snapshot_preview1"), ...name("t"), 1, 0x70, ...limits];
    expect(() => prepareModule(command({ imports: table([0, 1]) }), 16, MB)).not.toThrow();
    expect(() => prepareModule(command({ imports: table([1, 1, 2]) }), 16, MB)).not.toThrow();
    expect(refusal(command({ imports: [1, ...name("wasi_snapshot_preview1"), ...name("m"), 2, 0, 1] }))).toMatchObject({
      code: "forbidden_import",
      message: "The module imports its memory; it must define its own",
    });
  });

  test("a global's type is read past (an i32 constant, then a function); an unknown kind is refused", () => {
    const global = [...name("wasi_snapshot_preview1"), ...name("g"), 3, 0x7f, 0];
    const exit = [...name("wasi_snapshot_preview1"), ...name("proc_exit"), 0, 0];
    expect(() => prepareModule(command({ imports: [2, ...global, ...exit] }), 16, MB)).not.toThrow();
    expect(refusal(command({ imports: [1, ...name("wasi_snapshot_preview1"), ...name("x"), 4, 0, 0] }))).toMatchObject({
      code: "invalid_wasm_module",
      message: "The module has an unknown import kind",
    });
  });

  test("a section with bytes left over is malformed", () => {
    expect(refusal(command({ imports: [...fdWrite("wasi_unstable"), 0] })).message).toBe("The import section is malformed");
  });
});

describe("memory", () => {
  test("every maximum is set to the cap, with or without one declared", () => {
    const capped = prepareModule(command({ memory: [1, 0, 1] }), 1, MB);
    expect([...capped]).toEqual([...command({ memory: [1, 1, 1, 16] })]);
    expect([...prepareModule(command({ memory: [1, 1, 2, 0xe8, 0x07] }), 1, MB)]).toEqual([...command({ memory: [1, 1, 2, 16] })]);
    expect([...prepareModule(command({ memory: [1, 1, 2, 3] }), 1, MB)]).toEqual([...command({ memory: [1, 1, 2, 3] })]);
  });

  test("a minimum over the cap is refused in MiB; exactly the cap passes", () => {
    expect(() => prepareModule(command({ memory: [1, 0, 16] }), 1, MB)).not.toThrow();
    expect(refusal(command({ memory: [1, 0, 17] }), 1)).toMatchObject({
      code: "memory_limit_exceeded",
      message: "The module needs 2 MiB of memory at start; the limit is 1 MiB",
    });
  });

  test("shared or 64-bit memories, and bytes left over, are refused", () => {
    expect(refusal(command({ memory: [1, 3, 1, 2] })).message).toBe("Shared or 64-bit memories are not supported");
    expect(refusal(command({ memory: [1, 0, 1, 0] })).message).toBe("The memory section is malformed");
  });
});
