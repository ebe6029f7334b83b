// The file writer itself, as every caller reaches it (uploads, WebDAV, WASM output, restores): its own
// checks, what it leaves behind when the rename into place or the IPFS import fails, and that the
// import runs while the bytes still arrive. Driven on a real node's storage; a failure is injected by
// wrapping one method of the real blob store or IPFS client.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { BlobStore } from "../../../server/services/files/blob-store.ts";
import { GroupCommit } from "../../../server/db/group-commit.ts";
import { FileWriter, type WriteOptions } from "../../../server/services/files/file-writer.ts";
import { FilesRepository } from "../../../server/services/files/files.repository.ts";
import type { GrowingImport, IpfsClient } from "../../../server/services/files/ipfs.client.ts";
import { refusalOf, refusalOfAsync } from "../../helpers/refusal.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { withMethod } from "../../helpers/with-method.ts";

let t: TestNode;
const KiB = 1024;
const plain: WriteOptions = { createParents: false, overwrite: false, dedupe: false };

beforeAll(async () => {
  t = await startTestNode();
});
afterAll(() => t.stop());

const services = () => t.node.services;
/** A wallet nobody has signed in as: it has no home yet. */
const newWallet = () => `0x${crypto.randomUUID().replaceAll("-", "").padEnd(40, "0")}`;
const bytes = (text: string) => new TextEncoder().encode(text);
/** Unique bytes too large to be held whole (over 256 KiB): imported while they arrive, pinned before the answer. */
const streamed = (text: string) => {
  const b = new Uint8Array(300 * KiB).fill(42);
  b.set(bytes(`${text} ${crypto.randomUUID()}`));
  return b;
};
async function* chunks(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield p;
}
/** The same real object with one method replaced. */
function writerWith(parts: { blobs?: BlobStore; ipfs?: IpfsClient }): FileWriter {
  const s = services();
  return new FileWriter(s.files, {
    commits: new GroupCommit(t.node.ctx.db),
    repo: new FilesRepository(t.node.ctx.db),
    blobs: parts.blobs ?? s.blobs,
    ipfs: parts.ipfs ?? s.ipfs,
    pins: s.pins,
    indexOnDisk: s.indexOnDisk,
  });
}
/** The message a promise fails with (null if it does not fail). */
const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: Error) => err.message,
  );
const tmpFiles = () => readdirSync(join(t.dataDir, "tmp")).filter((n) => !n.startsWith("."));
const blobCount = (owner: string) => {
  const dir = join(t.dataDir, "files", owner);
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
};
async function waitUntil(what: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await Bun.sleep(20)) if (await what()) return true;
  return what();
}

test("a wallet's first write makes its home; the root and paths that are not the node's own are refused", async () => {
  const owner = newWallet();
  const row = await services().writer.write(owner, "/Documents/first.txt", chunks(bytes("first")), plain);
  expect([row.path, row.size]).toEqual(["/Documents/first.txt", 5]);
  const writer = services().writer;
  expect(refusalOf(() => writer.check(newWallet(), "/", plain))).toMatchObject({ status: 400, code: "cannot_write_to_root", message: "Choose a file name inside a folder" });
  expect(refusalOf(() => writer.check(owner, "Documents/relative.txt", plain))).toMatchObject({ code: "invalid_path", message: "internal paths start with /" });
  expect(refusalOf(() => writer.check(owner, "/Documents/../escape.txt", plain))).toMatchObject({ code: "invalid_file_name" });
  expect(refusalOf(() => writer.check(owner, "/Documents/a\u0000b", plain))).toMatchObject({ code: "invalid_file_name" });
});

test("each refusal before the body says what is wrong, in words and with its code", async () => {
  const owner = newWallet();
  const writer = services().writer;
  await writer.write(owner, "/Documents/notes.txt", chunks(bytes("x")), plain);
  expect(await refusalOfAsync(writer.write(owner, "/Documents/notes.txt/inner.txt", chunks(bytes("y")), plain))).toMatchObject({
    status: 400,
    code: "dest_is_not_a_directory",
    message: "notes.txt is a file, not a folder",
  });
  expect(await refusalOfAsync(writer.write(owner, "/Nope/inner.txt", chunks(bytes("y")), plain))).toMatchObject({ status: 404, code: "dest_does_not_exist", message: "Folder not found: /Nope" });
  expect(await refusalOfAsync(writer.write(owner, "/Documents", chunks(bytes("y")), { ...plain, overwrite: true }))).toMatchObject({
    status: 409,
    code: "cannot_overwrite_a_directory",
    message: "A folder with this name exists",
    extra: { entry_name: "Documents" },
  });
  // With createParents the missing folders are made, and announced.
  const row = await writer.write(owner, "/Nope/deeper/inner.txt", chunks(bytes("y")), { ...plain, createParents: true });
  expect(row.path).toBe("/Nope/deeper/inner.txt");
});

test("the rename into place fails: the temp file is discarded, the import's pin removed, nothing indexed", async () => {
  const owner = newWallet();
  const s = services();
  await s.writer.write(owner, "/Documents/warm.txt", chunks(bytes("warm")), plain);
  let cid: Promise<string> | null = null;
  const ipfs = withMethod(s.ipfs, "addGrowing", (tmp: string) => {
    const g = s.ipfs.addGrowing(tmp);
    cid = g.result;
    return g;
  });
  const blobs = withMethod(s.blobs, "commit", async () => {
    throw new Error("rename: input/output error");
  });
  const before = tmpFiles();
  const unique = streamed("never placed");
  expect(await failureOf(writerWith({ blobs, ipfs }).write(owner, "/Documents/lost.txt", chunks(unique), plain))).toBe("rename: input/output error");
  expect(tmpFiles()).toEqual(before);
  expect(new FilesRepository(t.node.ctx.db).byPath(owner, "/Documents/lost.txt")).toBeNull();
  const pinned = await cid!;
  expect(await waitUntil(async () => !(await s.ipfs.isPinned(pinned)))).toBe(true);
});

test("a received upload (resumable, no import under way) whose rename fails: the caller gets that failure, the temp file is gone", async () => {
  const owner = newWallet();
  const s = services();
  await s.writer.write(owner, "/Documents/warm.txt", chunks(bytes("warm")), plain);
  const received = await s.blobs.receive(chunks(streamed("resumed")), 1 << 20);
  if (!("tmp" in received)) throw new Error("held inline");
  const blobs = withMethod(s.blobs, "commit", async () => {
    throw new Error("rename: read-only file system");
  });
  expect(await failureOf(writerWith({ blobs }).commit(owner, "/Documents/resumed.txt", received, plain))).toBe("rename: read-only file system");
  expect(existsSync(received.tmp)).toBe(false);
});

test("the rename fails for bytes another file has: that file's pin stays", async () => {
  const owner = newWallet();
  const s = services();
  const shared = streamed("shared");
  const kept = await s.writer.write(owner, "/Documents/kept.txt", chunks(shared), plain);
  const blobs = withMethod(s.blobs, "commit", async () => {
    throw new Error("rename: no space left on device");
  });
  expect(await failureOf(writerWith({ blobs }).write(owner, "/Documents/again.txt", chunks(shared), plain))).toBe("rename: no space left on device");
  await Bun.sleep(200);
  expect(await s.ipfs.isPinned(kept.cid!)).toBe(true);
});

test("the import fails: the bytes renamed into place are removed, nothing indexed", async () => {
  const owner = newWallet();
  const s = services();
  await s.writer.write(owner, "/Documents/warm.txt", chunks(bytes("warm")), plain);
  const blobsBefore = blobCount(owner);
  const ipfs = withMethod(s.ipfs, "addGrowing", (tmp: string): GrowingImport => {
    const g = s.ipfs.addGrowing(tmp);
    const failed = g.result.then(() => {
      throw new Error("blockstore: disk full");
    });
    failed.catch(() => undefined);
    return { grow: (n) => g.grow(n), finish: (n) => g.finish(n), abort: () => g.abort(), result: failed };
  });
  expect(await failureOf(writerWith({ ipfs }).write(owner, "/Documents/unpinned.txt", chunks(streamed("x")), plain))).toBe("blockstore: disk full");
  expect(blobCount(owner)).toBe(blobsBefore);
  expect(new FilesRepository(t.node.ctx.db).byPath(owner, "/Documents/unpinned.txt")).toBeNull();
});

test("the import reads the file while it still arrives, not only once it is complete", async () => {
  const owner = newWallet();
  const s = services();
  const grown: number[] = [];
  const ipfs = withMethod(s.ipfs, "addGrowing", (tmp: string): GrowingImport => {
    const g = s.ipfs.addGrowing(tmp);
    return { grow: (n) => (grown.push(n), g.grow(n)), finish: (n) => g.finish(n), abort: () => g.abort(), result: g.result };
  });
  let grownMidway = -1;
  async function* slowBody(): AsyncIterable<Uint8Array> {
    for (let i = 0; i < 32; i++) yield new Uint8Array(64 * KiB).fill(i);
    // 2 MiB in and the body not finished: the import has been told of the bytes so far.
    for (let i = 0; i < 100 && grown.length === 0; i++) await Bun.sleep(10);
    grownMidway = grown.at(-1) ?? 0;
    yield new Uint8Array(64 * KiB).fill(99);
  }
  const row = await writerWith({ ipfs }).write(owner, "/Documents/streamed.bin", slowBody(), plain);
  expect(row.size).toBe(33 * 64 * KiB);
  expect(grownMidway).toBeGreaterThanOrEqual(1024 * KiB);
  expect(grownMidway).toBeLessThan(33 * 64 * KiB);
  // The same bytes written in one piece give the same CID.
  const whole = new Uint8Array(33 * 64 * KiB);
  for (let i = 0; i < 32; i++) whole.fill(i, i * 64 * KiB, (i + 1) * 64 * KiB);
  whole.fill(99, 32 * 64 * KiB);
  expect((await s.writer.write(owner, "/Documents/whole.bin", chunks(whole), plain)).cid).toBe(row.cid);
});
