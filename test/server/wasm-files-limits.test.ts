// WASM runs' input and output files (server/services/wasm/wasm-files.ts) on a real node's file
// services: every limit at and one past its edge, each refusal's code and text, folders and
// duplicate names refused, and the run's private scratch folders.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { WasmFiles } from "../../server/services/wasm/wasm-files.ts";
import { createTestNode } from "../helpers/test-node.ts";

const OWNER = `0x${"c".repeat(40)}`;
const t = createTestNode({ logLevel: "warn" });
const { files, writer } = t.node.services;
const tmp = join(t.dataDir, "tmp", "wasm-limits");
const limited = new WasmFiles(files, writer, tmp, { maxInputFiles: 2, maxInputBytes: 10, maxOutputFiles: 4, maxOutputBytes: 100 });

async function put(path: string, body: string): Promise<void> {
  await writer.write(OWNER, path, new Blob([body]).stream(), { createParents: true, overwrite: true, dedupe: false, size: body.length });
}
/** How a call was refused: status, code, words, and the field named (for a bad request). */
function refusal(fn: () => unknown): { status: number; code: string; message: string; field?: unknown } {
  try {
    fn();
  } catch (err) {
    const e = err as { status: number; code: string; message: string; extra?: { field?: unknown } };
    return { status: e.status, code: e.code, message: e.message, ...(e.extra?.field === undefined ? {} : { field: e.extra.field }) };
  }
  throw new Error("accepted");
}

beforeAll(async () => {
  await t.node.start();
  files.ensureHome(OWNER);
  await put("/Documents/four.txt", "4444");
  await put("/Documents/six.txt", "666666");
  await put("/Documents/seven.txt", "7777777");
  await put("/Documents/other/four.txt", "abcd");
  files.mkdir(OWNER, { path: "/Documents/folder", overwrite: false, dedupe: false, createParents: false });
  limited.sweep();
});
afterAll(async () => {
  await t.node.stop();
  t.cleanup();
});

describe("inputs", () => {
  test("no list: no inputs; the files' bytes add up exactly to the limit: accepted, in order", () => {
    expect(limited.inputs(OWNER, undefined, limited.scratch())).toEqual({ inputs: [], bytes: 0 });
    // A run's scratch folder: small inputs (kept in the database) are copied there for the sandbox.
    const scratch = limited.scratch();
    const { inputs, bytes } = limited.inputs(OWNER, ["~/Documents/four.txt", "~/Documents/six.txt"], scratch);
    expect([inputs.map((i) => i.name), bytes]).toEqual([["four.txt", "six.txt"], 10]);
    expect(inputs.every((i) => existsSync(i.hostPath) && statSync(i.hostPath).isFile())).toBe(true);
    // Small files are kept in the database: each input is a private copy in the run's scratch folder.
    expect(inputs.map((i) => [i.hostPath.startsWith(`${scratch}/`), statSync(i.hostPath).mode & 0o777, readFileSync(i.hostPath, "utf8")])).toEqual([
      [true, 0o600, "4444"],
      [true, 0o600, "666666"],
    ]);
  });

  test("one byte over the total is refused with the limit in the message", () => {
    expect(refusal(() => limited.inputs(OWNER, ["~/Documents/four.txt", "~/Documents/seven.txt"], limited.scratch()))).toEqual({
      status: 413,
      code: "wasm_input_too_large",
      message: "Input files may total at most 10 bytes",
    });
  });

  test("as many files as the limit: accepted; one more: refused before any is looked at", () => {
    expect(limited.inputs(OWNER, ["~/Documents/four.txt", "~/Documents/six.txt"], limited.scratch()).inputs).toHaveLength(2);
    expect(refusal(() => limited.inputs(OWNER, ["~/Documents/four.txt", "~/nope", "~/nope2"], limited.scratch()))).toEqual({
      status: 400,
      code: "invalid_request",
      message: "files must be a list of at most 2 paths",
      field: "files",
    });
  });

  test("a folder, and two files of one name, are refused by name", () => {
    expect(refusal(() => limited.inputs(OWNER, ["~/Documents/folder"], limited.scratch()))).toEqual({ status: 400, code: "is_a_directory", message: "folder is a folder; choose files" });
    expect(refusal(() => limited.inputs(OWNER, ["~/Documents/four.txt", "~/Documents/other/four.txt"], limited.scratch()))).toEqual({
      status: 400,
      code: "invalid_request",
      message: "Two input files are named four.txt; /input needs distinct names",
      field: "files",
    });
  });
});

describe("outputs", () => {
  test("the output folder: a file in its place is refused by name", () => {
    expect(limited.outputFolder(OWNER, "~/Documents/out", "calc")).toBe("/Documents/out");
    expect(refusal(() => limited.outputFolder(OWNER, "~/Documents/four.txt", "calc"))).toEqual({
      status: 400,
      code: "dest_is_not_a_directory",
      message: "four.txt is a file, not a folder",
    });
  });

  test("scratch folders are private, swept at start, and discarded whole", () => {
    limited.sweep();
    const a = limited.scratch();
    writeFileSync(join(a, "0"), "x");
    mkdirSync(join(a, "deep"));
    expect(statSync(a).mode & 0o777).toBe(0o700);
    expect(statSync(tmp).mode & 0o777).toBe(0o700);
    limited.discard(a);
    expect(existsSync(a)).toBe(false);
    const b = limited.scratch();
    writeFileSync(join(b, "left"), "x");
    limited.sweep();
    expect(readdirSync(tmp)).toEqual([]);
  });

  test("the sweep makes its folder, and any folder above it, owner-only", () => {
    const fresh = join(t.dataDir, "tmp", "not-there-yet", "wasm");
    new WasmFiles(files, writer, fresh, { maxInputFiles: 1, maxInputBytes: 1, maxOutputFiles: 1, maxOutputBytes: 1 }).sweep();
    expect([existsSync(fresh), statSync(fresh).mode & 0o777, readdirSync(fresh)]).toEqual([true, 0o700, []]);
  });

  test("saved outputs report their path, name, size and CID; a clash gets a number", async () => {
    const dir = limited.scratch();
    writeFileSync(join(dir, "0"), "hello");
    const folder = limited.outputFolder(OWNER, "~/Documents/saved", "calc");
    const first = await limited.save(OWNER, folder, dir, [{ index: 0, name: "r.txt", size: 5 }]);
    const again = await limited.save(OWNER, folder, dir, [{ index: 0, name: "r.txt", size: 5 }]);
    expect(first).toEqual([{ path: `/${OWNER}/Documents/saved/r.txt`, name: "r.txt", size: 5, cid: expect.stringMatching(/^bafk/) }]);
    expect(again[0]!.name).toBe("r (1).txt");
  });
});
