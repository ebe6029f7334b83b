// `pc2 storage check` finding each kind of disagreement between the index, the blobs and the pins,
// one at a time, and what --repair does about each (storage-check.ts), on a real node's services.
// The CLI around it is in crash-safety.test.ts; reading files back (--deep) in storage-check-deep.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { FilesRepository } from "../../../server/services/files/files.repository.ts";
import type { FsEntryRow } from "../../../server/services/files/fs-entry.ts";
import { INLINE_MAX_BYTES, isInlineBlob } from "../../../server/services/files/inline-blobs.ts";
import { checkStorage, isClean, type StorageReport } from "../../../server/services/files/storage-check.ts";
import { BunFsBlockstore } from "../../../workers/bun-fs-blockstore.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";

const plain = { createParents: false, overwrite: false, dedupe: false };
async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
const bytesOf = (text: string) => new TextEncoder().encode(text);

let t: TestNode;
let owner: string;
beforeAll(async () => {
  t = await startTestNode();
});
afterAll(() => t.stop());
beforeEach(async () => {
  // A wallet of its own per test, and a clean node to start from.
  owner = `0x${crypto.randomUUID().replaceAll("-", "").padEnd(40, "0")}`;
  await s().pins.settled();
  expect(isClean(await check(true))).toBe(true);
});
const s = () => t.node.services;
const check = (repair: boolean) => checkStorage(new FilesRepository(t.node.ctx.db), s().blobs, s().ipfs, repair);
/** How a file's bytes are kept: in the database (a small file), or in a file of its own. */
type Kind = "inline" | "file";
const KINDS: Kind[] = ["inline", "file"];
/** `text`, or (kind "file") `text` padded with spaces past the size kept inline. */
const content = (text: string, kind: Kind = "inline") => (kind === "inline" ? text : text.padEnd(INLINE_MAX_BYTES + 1, " "));
const write = async (name: string, text: string, kind: Kind = "inline") => {
  const row = await s().writer.write(owner, `/Documents/${name}`, once(bytesOf(content(text, kind))), plain);
  expect(isInlineBlob(row.blob!)).toBe(kind === "inline");
  await s().pins.settled();
  return row;
};
/** Damage done to a file's bytes behind the node's back, wherever they are kept. */
const behindTheBack = {
  truncate(row: FsEntryRow, size: number) {
    if (isInlineBlob(row.blob!)) t.node.ctx.db.query("UPDATE inline_blobs SET bytes = substr(bytes, 1, ?) WHERE blob = ?").run(size, row.blob!);
    else truncateSync(s().blobs.path(owner, row.blob!), size);
  },
  overwrite(row: FsEntryRow, text: string) {
    if (isInlineBlob(row.blob!)) t.node.ctx.db.query("UPDATE inline_blobs SET bytes = ? WHERE blob = ?").run(bytesOf(text), row.blob!);
    else writeFileSync(s().blobs.path(owner, row.blob!), text);
  },
  remove(row: FsEntryRow) {
    if (isInlineBlob(row.blob!)) t.node.ctx.db.query("DELETE FROM inline_blobs WHERE blob = ?").run(row.blob!);
    else rmSync(s().blobs.path(owner, row.blob!));
  },
  /** Bytes no file uses, beside `row`'s; their blob's name. */
  stray(row: FsEntryRow): string {
    if (isInlineBlob(row.blob!)) {
      t.node.ctx.db.query("INSERT INTO inline_blobs (blob, owner, bytes) VALUES (?, ?, ?)").run(`i${"f".repeat(31)}`, owner, bytesOf("stray"));
      return `i${"f".repeat(31)}`;
    }
    writeFileSync(join(s().blobs.filesDir, owner, row.blob!.slice(0, 2), "f".repeat(32)), "stray");
    return "f".repeat(32);
  },
  strayIsGone(blob: string): boolean {
    return isInlineBlob(blob) ? s().blobs.source(owner, blob) === null : !existsSync(join(s().blobs.filesDir, owner, blob.slice(0, 2), blob));
  },
};
/** The report's lists that are not empty (and nothing else, each sorted), so each test states all it expects. */
const found = (r: StorageReport) => Object.fromEntries(Object.entries(r).flatMap(([k, v]) => (Array.isArray(v) && v.length > 0 ? [[k, [...v].sort()]] : [])));

test("a clean node: every list empty, nothing stored twice, and isClean", async () => {
  await write("fine.txt", "fine");
  const r = await check(false);
  expect(found(r)).toEqual({});
  expect([r.files > 0, r.storedTwiceBytes, r.repaired, isClean(r)]).toEqual([true, 0, false, true]);
});

test.each(KINDS)("a blob of another size than indexed (%s): reported, and repair cannot change it", async (kind) => {
  const row = await write("shorter.txt", "twelve bytes", kind);
  behindTheBack.truncate(row, 5);
  const r = await check(false);
  expect(found(r)).toEqual({ sizeMismatches: [`${owner}/Documents/shorter.txt`] });
  expect(isClean(r)).toBe(false);
  // Repair re-pins nothing here (the CID is pinned) and leaves the row: the mismatch stays.
  expect(found(await check(true))).toEqual({ sizeMismatches: [`${owner}/Documents/shorter.txt`] });
  for (let i = 0; i < 2; i++) s().trash.delete(owner, [{ uid: row.uid }]);
});

test.each(KINDS)("an unpinned CID (%s): reported; repair pins it again from the blob, and a changed blob is a CID mismatch", async (kind) => {
  const kept = await write("kept.txt", "pinned again", kind);
  const changed = await write("changed.txt", "these bytes", kind);
  await s().ipfs.unpin(kept.cid!);
  await s().ipfs.unpin(changed.cid!);
  behindTheBack.overwrite(changed, content("THESE BYTES", kind));
  const r = await check(false);
  expect(found(r)).toEqual({ unpinned: [kept.cid, changed.cid].sort() });
  expect(isClean(r)).toBe(false);
  const repaired = await check(true);
  expect(found(repaired)).toEqual({ unpinned: [kept.cid, changed.cid].sort(), cidMismatches: [`${owner}/Documents/changed.txt`], orphanPins: [expect.any(String)] });
  expect(repaired.repaired).toBe(true);
  expect(await s().ipfs.isPinned(kept.cid!)).toBe(true);
  // The changed bytes' own CID was pinned by the import, used by nothing, and unpinned again.
  expect(await s().ipfs.isPinned(repaired.orphanPins[0]!)).toBe(false);
  for (let i = 0; i < 2; i++) s().trash.delete(owner, [{ uid: changed.uid }]);
  for (let i = 0; i < 2; i++) s().trash.delete(owner, [{ uid: kept.uid }]);
});

test("a pin no file uses: reported; repair unpins it and collects its blocks (a check alone collects nothing)", async () => {
  const stray = join(t.dataDir, "stray.bin");
  writeFileSync(stray, new Uint8Array(1536 * 1024).fill(9));
  const cid = await s().ipfs.add(stray);
  // And a block no pin reaches, as an interrupted import leaves one.
  const blocks = new BunFsBlockstore(join(t.dataDir, "ipfs", "blocks"));
  await blocks.open();
  const loose = CID.createV1(raw.code, await sha256.digest(bytesOf("loose block")));
  await blocks.put(loose, bytesOf("loose block"));
  const r = await check(false);
  expect(found(r)).toEqual({ orphanPins: [cid] });
  expect(isClean(r)).toBe(false);
  expect(await blocks.has(loose)).toBe(true);
  expect(found(await check(true))).toEqual({ orphanPins: [cid] });
  expect(await s().ipfs.isPinned(cid)).toBe(false);
  // Its linking block went with the pin (its leaves' places went at the unpin), and the loose block.
  expect(await s().ipfs.verify(cid)).toEqual({ blocks: 0, size: 0, problem: `block not found: ${cid} (neither stored nor in a file)`, dropped: null });
  expect(await blocks.has(loose)).toBe(false);
});

test("an owed pin is listed apart (not a fault); a check alone never pays it, even once its CID is pinned; repair makes and pays it", async () => {
  const row = await write("owed.txt", "a pin made after the answer");
  const repo = new FilesRepository(t.node.ctx.db);
  // As a stop before the pin was made leaves it.
  await s().ipfs.unpin(row.cid!);
  repo.owePin(owner, row.blob!, row.cid!);
  const r = await check(false);
  expect(found(r)).toEqual({ owedPins: [row.cid] });
  expect(isClean(r)).toBe(true);
  expect(found(await check(true))).toEqual({ owedPins: [row.cid] });
  expect([await s().ipfs.isPinned(row.cid!), repo.owedPins()]).toEqual([true, []]);
  // Owed, but pinned by now (the pin made, its row not yet paid): a check lists nothing and pays nothing.
  repo.owePin(owner, row.blob!, row.cid!);
  expect(found(await check(false))).toEqual({});
  expect(repo.owedPins().map((o) => o.cid)).toEqual([row.cid!]);
  expect(found(await check(true))).toEqual({});
  expect(repo.owedPins()).toEqual([]);
});

test("temp files of interrupted uploads are reported and swept; a resumable upload's are left alone", async () => {
  mkdirSync(s().blobs.tmpDir, { recursive: true });
  const [leftover, resumable] = [join(s().blobs.tmpDir, "upload-crashed"), join(s().blobs.tmpDir, "resumable-live")];
  writeFileSync(leftover, "half");
  writeFileSync(resumable, "in progress");
  const r = await check(false);
  expect(found(r)).toEqual({ tempFiles: ["upload-crashed"] });
  expect(isClean(r)).toBe(false);
  expect(found(await check(true))).toEqual({ tempFiles: ["upload-crashed"] });
  expect([existsSync(leftover), existsSync(resumable)]).toEqual([false, true]);
});

test.each(KINDS)("a file whose bytes are gone (%s): reported with its path; repair drops its row, and its pin goes as an orphan", async (kind) => {
  const row = await write("gone.txt", "soon missing", kind);
  behindTheBack.remove(row);
  const r = await check(false);
  expect(found(r)).toEqual({ missingBlobs: [`${owner}/Documents/gone.txt`] });
  expect(isClean(r)).toBe(false);
  expect(found(await check(true))).toEqual({ missingBlobs: [`${owner}/Documents/gone.txt`], orphanPins: [row.cid] });
  expect(new FilesRepository(t.node.ctx.db).byUid(owner, row.uid)).toBeNull();
  expect(await s().ipfs.isPinned(row.cid!)).toBe(false);
});

test.each(KINDS)("a blob no file uses (%s) is reported and deleted by repair", async (kind) => {
  const row = await write("kept.txt", "kept", kind);
  const stray = behindTheBack.stray(row);
  const r = await check(false);
  expect(found(r)).toEqual({ orphanBlobs: [`${owner}/${stray}`] });
  expect(found(await check(true))).toEqual({ orphanBlobs: [`${owner}/${stray}`] });
  expect(behindTheBack.strayIsGone(stray)).toBe(true);
  expect(found(await check(false))).toEqual({});
});
