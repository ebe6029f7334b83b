// `pc2 storage check --deep`: every pinned file read back through IPFS, block by block against its
// hash — the leaves come from the files themselves (workers/filestore-blockstore.ts), so a blob
// damaged on disk, or leaves whose places were lost, show up here and nowhere else. And the upgrade
// from a version that stored every leaf twice. On a real node.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { closeSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import * as dagPb from "@ipld/dag-pb";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { FilesRepository } from "../../../server/services/files/files.repository.ts";
import { checkStorage, isClean } from "../../../server/services/files/storage-check.ts";
import { NextToLast } from "blockstore-fs/sharding";
import { BunFsBlockstore } from "../../../workers/bun-fs-blockstore.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";

const MIB = 1024 * 1024;
const plain = { createParents: false, overwrite: false, dedupe: false };
const owner = `0x${"d".repeat(40)}`;
async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)));
  return bytes;
}

let t: TestNode;
beforeAll(async () => {
  t = await startTestNode();
});
afterAll(() => t.stop());
const s = () => t.node.services;
const repo = () => new FilesRepository(t.node.ctx.db);
const check = (repair: boolean, deep: boolean) => checkStorage(repo(), s().blobs, s().ipfs, repair, { deep });
/**
 * A failing disk: one byte of a file changed in place. Complemented, not set to a fixed value — the
 * bytes are random, and a fixed value is already there one time in 256 (CI met it once).
 */
function changeByte(path: string, at: number): void {
  const fd = openSync(path, "r+");
  try {
    const byte = new Uint8Array(1);
    expect(readSync(fd, byte, 0, 1, at)).toBe(1);
    byte[0] = ~byte[0]! & 0xff;
    writeSync(fd, byte, 0, 1, at);
  } finally {
    closeSync(fd);
  }
}
/** Delete the places recorded for a file's leaves (as an earlier version, or a lost record, leaves it); how many. */
function forgetPlaces(root: string): number {
  const records = new Database(join(t.dataDir, "ipfs", "datastore.db"));
  try {
    records.run("PRAGMA busy_timeout = 5000");
    return records.query("DELETE FROM leaf_refs WHERE root = ?").run(root).changes;
  } finally {
    records.close();
  }
}
/** The node's IPFS blockstore on disk, opened beside its worker. */
async function storedBlocks(): Promise<BunFsBlockstore> {
  const blocks = new BunFsBlockstore(join(t.dataDir, "ipfs", "blocks"));
  await blocks.open();
  return blocks;
}

test("intact files read back whole; a byte changed on disk is found only by --deep, and repair says the bytes no longer match", async () => {
  const big = await s().writer.write(owner, "/Documents/big.bin", once(randomBytes(3 * MIB + 7)), plain);
  await s().writer.write(owner, "/Documents/small.txt", once(randomBytes(100)), plain);
  await s().pins.settled();
  expect(isClean(await check(false, true))).toBe(true);

  // A failing disk flips one byte in the middle of the big file's second MiB.
  changeByte(s().blobs.path(owner, big.blob!), MIB + 1234);
  expect(isClean(await check(false, false))).toBe(true);
  const deep = await check(false, true);
  expect(deep.unreadable).toEqual([expect.stringMatching(new RegExp(`^${owner}/Documents/big\\.bin: block not found: bafkrei[a-z2-7]+ \\(no file holds these bytes any more\\)$`))]);
  expect(isClean(deep)).toBe(false);

  // Repair cannot make the bytes right: it says so, and leaves no pin behind for the damaged bytes.
  const pinsBefore = (await s().ipfs.pins()).sort();
  const repaired = await check(true, true);
  expect(repaired.cidMismatches).toEqual([`${owner}/Documents/big.bin`]);
  expect((await s().ipfs.pins()).sort()).toEqual(pinsBefore);
  // Deleted for good (to the Trash, then from it): the damaged file is no one's problem any more.
  for (let i = 0; i < 2; i++) await s().trash.delete(owner, [{ uid: big.uid }]);
});

test("leaves whose places were lost (the IPFS repository's records) are found by --deep and recorded again by repair", async () => {
  const row = await s().writer.write(owner, "/Documents/placeless.bin", once(randomBytes(2 * MIB)), plain);
  expect(forgetPlaces(row.cid!)).toBe(2);
  const deep = await check(false, true);
  expect(deep.unreadable).toEqual([expect.stringMatching(/^0xd+\/Documents\/placeless\.bin: block not found: bafkrei[a-z2-7]+ \(neither stored nor in a file\)$/)]);
  const repaired = await check(true, true);
  expect(repaired.cidMismatches).toEqual([]);
  expect(isClean(await check(false, true))).toBe(true);
});

test("a node from an earlier version (leaves stored as blocks, no places): repair records the places and frees the second copies", async () => {
  const bytes = randomBytes(2 * MIB + 5);
  const row = await s().writer.write(owner, "/Documents/older.bin", once(bytes), plain);
  // As an earlier version left it: every leaf a block in the blockstore, no place recorded.
  forgetPlaces(row.cid!);
  const blocks = await storedBlocks();
  const leaves: CID[] = [];
  for (let at = 0; at < bytes.byteLength; at += MIB) {
    const chunk = bytes.subarray(at, Math.min(bytes.byteLength, at + MIB));
    leaves.push(CID.createV1(raw.code, await sha256.digest(chunk)));
    await blocks.put(leaves.at(-1)!, chunk);
  }
  const before = await check(false, true);
  expect(before.unplaced).toEqual([`${owner}/Documents/older.bin`]);
  expect(before.unreadable).toEqual([]); // served from the stored blocks meanwhile
  expect(isClean(before)).toBe(true); // not a fault

  const repaired = await check(true, true);
  expect(repaired.cidMismatches).toEqual([]);
  expect(repaired.storedTwiceBytes).toBe(bytes.byteLength);
  for (const leaf of leaves) expect(await blocks.has(leaf)).toBe(false);
  const after = await check(false, true);
  expect([after.unplaced, after.unreadable, after.storedTwiceBytes]).toEqual([[], [], 0]);
});

test("an earlier version's file whose bytes changed on disk: repair's import names another CID — reported, and its pin not kept", async () => {
  const row = await s().writer.write(owner, "/Documents/older-changed.bin", once(randomBytes(2 * MIB)), plain);
  forgetPlaces(row.cid!);
  changeByte(s().blobs.path(owner, row.blob!), 77);
  const where = `${owner}/Documents/older-changed.bin`;
  expect((await check(false, false)).unplaced).toEqual([where]);
  const pinsBefore = (await s().ipfs.pins()).sort();
  const repaired = await check(true, false);
  expect([repaired.unplaced, repaired.cidMismatches]).toEqual([[where], [where]]);
  expect(repaired.orphanPins).toHaveLength(1);
  expect((await s().ipfs.pins()).sort()).toEqual(pinsBefore);
  for (let i = 0; i < 2; i++) s().trash.delete(owner, [{ uid: row.uid }]);
});

test("IPFS reads back another size than the index holds: --deep says both", async () => {
  const row = await s().writer.write(owner, "/Documents/sized.bin", once(randomBytes(MIB + 1)), plain);
  t.node.ctx.db.query("UPDATE fs_entries SET size = size + 1 WHERE owner = ? AND uid = ?").run(owner, row.uid);
  const where = `${owner}/Documents/sized.bin`;
  const deep = await check(false, true);
  expect([deep.sizeMismatches, deep.unreadable]).toEqual([[where], [`${where}: ${MIB + 1} bytes read back, ${MIB + 2} indexed`]]);
  t.node.ctx.db.query("UPDATE fs_entries SET size = size - 1 WHERE owner = ? AND uid = ?").run(owner, row.uid);
  for (let i = 0; i < 2; i++) s().trash.delete(owner, [{ uid: row.uid }]);
});

/** The file of a stored block (blockstore-fs names it by its multihash). */
function blockFile(cid: CID): string {
  const { dir, file } = new NextToLast().encode(cid);
  return join(t.dataDir, "ipfs", "blocks", dir, file);
}

test("a stored linking block damaged on disk: --deep finds it, repair writes it again (IPFS would not: it has a block of that name)", async () => {
  const row = await s().writer.write(owner, "/Documents/linked.bin", once(randomBytes(2 * MIB + 9)), plain);
  const root = CID.parse(row.cid!);
  const good = readFileSync(blockFile(root));
  writeFileSync(blockFile(root), good.subarray(0, good.byteLength - 1));
  const deep = await check(false, true);
  expect(deep.unreadable).toEqual([`${owner}/Documents/linked.bin: ${row.cid}: its bytes do not match its hash`]);
  expect(readFileSync(blockFile(root)).byteLength).toBe(good.byteLength - 1); // a check changes nothing
  const repaired = await check(true, true);
  expect([repaired.unreadable.length, repaired.cidMismatches]).toEqual([1, []]);
  expect(readFileSync(blockFile(root))).toEqual(good);
  expect(isClean(await check(false, true))).toBe(true);
  for (let i = 0; i < 2; i++) s().trash.delete(owner, [{ uid: row.uid }]);
});

test("damage under damage: an earlier version's stored leaf and the root above it, both changed — repair writes the root again, and the leaf is read from its file (its damaged copy deleted)", async () => {
  const bytes = randomBytes(2 * MIB + 3);
  const row = await s().writer.write(owner, "/Documents/twice-damaged.bin", once(bytes), plain);
  forgetPlaces(row.cid!);
  const blocks = await storedBlocks();
  const leaf = CID.createV1(raw.code, await sha256.digest(bytes.subarray(MIB, 2 * MIB)));
  await blocks.put(leaf, bytes.subarray(MIB, 2 * MIB));
  for (const cid of [CID.parse(row.cid!), leaf]) writeFileSync(blockFile(cid), new Uint8Array([9, 9, 9]));
  // Only the root's damage shows: the leaf is below it.
  expect((await check(false, true)).unreadable).toEqual([`${owner}/Documents/twice-damaged.bin: ${row.cid}: its bytes do not match its hash`]);
  const repaired = await check(true, true);
  expect(repaired.cidMismatches).toEqual([]);
  const after = await check(false, true);
  expect([after.unreadable, after.unplaced, after.storedTwiceBytes]).toEqual([[], [], 0]);
  expect(await blocks.has(leaf)).toBe(false); // read from the file now; the stored copy went
  for (let i = 0; i < 2; i++) s().trash.delete(owner, [{ uid: row.uid }]);
});

test("over 1 GiB (a root, and linking nodes below it): a damaged node under a damaged root is found and mended next", async () => {
  // 1,025 leaves of zeros: the root links two nodes (1,024 leaves, then 1); every leaf is one block.
  async function* zeros(): AsyncIterable<Uint8Array> {
    for (let i = 0; i < 1025; i++) yield new Uint8Array(MIB);
  }
  const row = await s().writer.write(owner, "/Documents/zeros.bin", zeros(), plain);
  const root = CID.parse(row.cid!);
  const { Links } = dagPb.decode(readFileSync(blockFile(root)));
  expect(Links.length).toBe(2);
  const below = Links[0]!.Hash;
  const good = readFileSync(blockFile(below));
  for (const cid of [root, below]) writeFileSync(blockFile(cid), new Uint8Array([7]));
  expect((await check(false, true)).unreadable).toEqual([`${owner}/Documents/zeros.bin: ${row.cid}: its bytes do not match its hash`]);
  expect((await check(true, true)).cidMismatches).toEqual([]);
  expect(readFileSync(blockFile(below))).toEqual(good);
  expect(isClean(await check(false, true))).toBe(true);
  for (let i = 0; i < 2; i++) s().trash.delete(owner, [{ uid: row.uid }]);
}, 60_000);

test("a file whose blob went missing: IPFS reads the same bytes from another file with that CID", async () => {
  const bytes = randomBytes(MIB + 99);
  const first = await s().writer.write(owner, "/Documents/first.bin", once(bytes), plain);
  const second = await s().writer.write(owner, "/Documents/second.bin", once(bytes), plain);
  expect(second.cid).toBe(first.cid);
  expect(second.blob).not.toBe(first.blob);
  rmSync(s().blobs.path(owner, first.blob!));
  expect(await s().ipfs.verify(first.cid!)).toEqual({ blocks: 3, size: bytes.byteLength, problem: null, dropped: null });
  for (const row of [first, second]) for (let i = 0; i < 2; i++) s().trash.delete(owner, [{ uid: row.uid }]);
});
