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
const write = async (name: string, text: string) => {
  const row = await s().writer.write(owner, `/Documents/${name}`, once(bytesOf(text)), plain);
  await s().pins.settled();
  return row;
};
/** The report's lists that are not empty (and nothing else, each sorted), so each test states all it expects. */
const found = (r: StorageReport) => Object.fromEntries(Object.entries(r).flatMap(([k, v]) => (Array.isArray(v) && v.length > 0 ? [[k, [...v].sort()]] : [])));

test("a clean node: every list empty, nothing stored twice, and isClean", async () => {
  await write("fine.txt", "fine");
  const r = await check(false);
  expect(found(r)).toEqual({});
  expect([r.files > 0, r.storedTwiceBytes, r.repaired, isClean(r)]).toEqual([true, 0, false, true]);
});

test("a blob of another size than indexed: reported, and repair cannot change it", async () => {
  const row = await write("shorter.txt", "twelve bytes");
  truncateSync(s().blobs.path(owner, row.blob!), 5);
  const r = await check(false);
  expect(found(r)).toEqual({ sizeMismatches: [`${owner}/Documents/shorter.txt`] });
  expect(isClean(r)).toBe(false);
  // Repair re-pins nothing here (the CID is pinned) and leaves the row: the mismatch stays.
  expect(found(await check(true))).toEqual({ sizeMismatches: [`${owner}/Documents/shorter.txt`] });
  for (let i = 0; i < 2; i++) s().trash.delete(owner, [{ uid: row.uid }]);
});

test("an unpinned CID: reported; repair pins it again from the blob, and a changed blob is a CID mismatch", async () => {
  const kept = await write("kept.txt", "pinned again");
  const changed = await write("changed.txt", "these bytes");
  await s().ipfs.unpin(kept.cid!);
  await s().ipfs.unpin(changed.cid!);
  writeFileSync(s().blobs.path(owner, changed.blob!), "THESE BYTES");
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

test("a file whose bytes are gone: reported with its path; repair drops its row, and its pin goes as an orphan", async () => {
  const row = await write("gone.txt", "soon missing");
  rmSync(s().blobs.path(owner, row.blob!));
  const r = await check(false);
  expect(found(r)).toEqual({ missingBlobs: [`${owner}/Documents/gone.txt`] });
  expect(isClean(r)).toBe(false);
  expect(found(await check(true))).toEqual({ missingBlobs: [`${owner}/Documents/gone.txt`], orphanPins: [row.cid] });
  expect(new FilesRepository(t.node.ctx.db).byUid(owner, row.uid)).toBeNull();
  expect(await s().ipfs.isPinned(row.cid!)).toBe(false);
});

test("a blob no file uses is reported and deleted by repair", async () => {
  const row = await write("kept.txt", "kept");
  const stray = join(s().blobs.filesDir, owner, row.blob!.slice(0, 2), "f".repeat(32));
  writeFileSync(stray, "stray");
  const r = await check(false);
  expect(found(r)).toEqual({ orphanBlobs: [`${owner}/${"f".repeat(32)}`] });
  expect(found(await check(true))).toEqual({ orphanBlobs: [`${owner}/${"f".repeat(32)}`] });
  expect(existsSync(stray)).toBe(false);
});
