// The IPFS filestore (workers/filestore-blockstore.ts, leaf-recorder.ts, leaf-refs.ts): a file's
// leaves are recorded as places in the file, not stored again, and read back from any blob of that
// file with their hash checked. Real blockstore on disk, real SQLite, the node's own import.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { importer } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { identity as identityHash } from "multiformats/hashes/identity";
import { sha256 } from "multiformats/hashes/sha2";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BunFsBlockstore } from "../../../workers/bun-fs-blockstore.ts";
import { importFile } from "../../../workers/file-import.ts";
import { FilestoreBlockstore } from "../../../workers/filestore-blockstore.ts";
import { LeafRecorder } from "../../../workers/leaf-recorder.ts";
import { LeafRefs } from "../../../workers/leaf-refs.ts";
import { verifyDag } from "../../../workers/verify-dag.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";

const MIB = 1024 * 1024;
let dir: ReturnType<typeof makeTempDir>;
let stored: BunFsBlockstore;
let refs: LeafRefs;
/** root CID → the file a test says holds it. */
let files: Map<string, string>;
let store: FilestoreBlockstore;

beforeEach(async () => {
  dir = makeTempDir();
  stored = new BunFsBlockstore(join(dir.path, "blocks"));
  await stored.open();
  refs = new LeafRefs(join(dir.path, "datastore.db"));
  files = new Map();
  store = new FilestoreBlockstore(stored, refs, async (root) => (files.has(root) ? { path: files.get(root)! } : null));
});
afterEach(() => {
  refs.close();
  dir.remove();
});

function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)));
  return bytes;
}
async function* chunksOf(bytes: Uint8Array, size = MIB): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += size) yield bytes.slice(at, Math.min(bytes.byteLength, at + size));
}
/** Write `bytes` as a file and import it as the node does; the file is where its leaves are found. */
async function importAsFile(name: string, bytes: Uint8Array): Promise<{ root: string; path: string }> {
  const path = join(dir.path, name);
  writeFileSync(path, bytes);
  const root = (await importFile(store, refs, chunksOf(bytes))).toString();
  files.set(root, path);
  return { root, path };
}
const leafOf = async (bytes: Uint8Array) => CID.createV1(raw.code, await sha256.digest(bytes));
async function read(cid: CID): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of store.get(cid)) parts.push(p);
  return Buffer.concat(parts);
}
const storedBlocks = () => readdirSync(join(dir.path, "blocks"), { recursive: true }).filter((f) => String(f).endsWith(".data")).length;

test("a 3.5 MiB file: four leaves recorded at their offsets, none stored; only the root is a block; read back whole", async () => {
  const bytes = randomBytes(3.5 * MIB);
  const { root } = await importAsFile("a.bin", bytes);
  expect(refs.leavesOf(root)).toEqual(
    await Promise.all(
      [0, 1, 2, 3].map(async (i) => ({ leaf: (await leafOf(bytes.subarray(i * MIB, Math.min(bytes.byteLength, (i + 1) * MIB)))).toString(), offset: i * MIB, length: i === 3 ? MIB / 2 : MIB })),
    ),
  );
  expect(storedBlocks()).toBe(1);
  expect(await stored.has(CID.parse(root))).toBe(true);
  const third = await leafOf(bytes.subarray(2 * MIB, 3 * MIB));
  expect(await store.has(third)).toBe(true);
  expect(await read(third)).toEqual(bytes.subarray(2 * MIB, 3 * MIB));
  expect(await verifyDag(store, CID.parse(root))).toEqual({ blocks: 5, size: bytes.byteLength, problem: null, dropped: null });
});

test("a file of one chunk is its own leaf; an empty file is an empty leaf; neither is stored", async () => {
  const small = randomBytes(1000);
  const { root } = await importAsFile("small.bin", small);
  expect(root).toBe((await leafOf(small)).toString());
  expect(refs.leavesOf(root)).toEqual([{ leaf: root, offset: 0, length: 1000 }]);
  const empty = await importAsFile("empty.bin", new Uint8Array(0));
  expect(refs.leavesOf(empty.root)).toEqual([{ leaf: empty.root, offset: 0, length: 0 }]);
  expect(storedBlocks()).toBe(0);
  expect(await verifyDag(store, CID.parse(empty.root))).toEqual({ blocks: 1, size: 0, problem: null, dropped: null });
  expect(await read(CID.parse(root))).toEqual(small);
});

test("two equal chunks in one file: one leaf, recorded at both places, counted twice in the file's size", async () => {
  const half = randomBytes(MIB);
  const bytes = Buffer.concat([half, half, randomBytes(10)]);
  const { root } = await importAsFile("twice.bin", bytes);
  const leaf = (await leafOf(half)).toString();
  expect(refs.placesOf(leaf)).toEqual([
    { root, offset: 0, length: MIB },
    { root, offset: MIB, length: MIB },
  ]);
  expect(await verifyDag(store, CID.parse(root))).toEqual({ blocks: 3, size: bytes.byteLength, problem: null, dropped: null });
});

test("bytes that changed on disk are never served: the next file holding the leaf is, or the leaf is not found", async () => {
  const shared = randomBytes(MIB);
  const aBytes = Buffer.concat([shared, randomBytes(100)]);
  const a = await importAsFile("a.bin", aBytes);
  const b = await importAsFile("b.bin", Buffer.concat([randomBytes(MIB), shared]));
  const leaf = await leafOf(shared);
  // One flipped byte in a's copy (a failing disk): b's copy answers, checked.
  const damaged = Buffer.from(aBytes);
  damaged[5] = (damaged[5]! + 1) & 0xff;
  writeFileSync(a.path, damaged);
  expect(await read(leaf)).toEqual(shared);
  expect((await verifyDag(store, CID.parse(a.root))).problem).toBeNull();
  // b gone as well: nothing holds the bytes intact.
  files.delete(b.root);
  const missing = await Promise.resolve(read(leaf)).then(
    () => null,
    (err: Error) => err,
  );
  expect(missing?.name).toBe("NotFoundError");
  expect(missing?.message).toBe(`block not found: ${leaf} (no file holds these bytes any more)`);
  expect(await verifyDag(store, CID.parse(a.root))).toEqual({ blocks: 1, size: 0, problem: `block not found: ${leaf} (no file holds these bytes any more)`, dropped: null });
});

test("a file shorter than its recorded places, or gone from disk, is skipped like changed bytes", async () => {
  const bytes = randomBytes(2 * MIB);
  const { root, path } = await importAsFile("short.bin", bytes);
  writeFileSync(path, bytes.subarray(0, MIB + 10));
  expect((await verifyDag(store, CID.parse(root))).problem).toContain("no file holds these bytes any more");
  files.set(root, join(dir.path, "not-there.bin"));
  expect((await verifyDag(store, CID.parse(root))).problem).toContain("no file holds these bytes any more");
});

test("chunks the importer does not take whole (another chunk size) are stored as blocks: space, never bytes, is lost", async () => {
  const bytes = randomBytes(MIB + 5);
  const recorder = new LeafRecorder(store);
  let root: CID | undefined;
  for await (const entry of importer([{ content: recorder.track(chunksOf(bytes)) }], recorder.blockstore as never, { cidVersion: 1, rawLeaves: true, chunker: fixedSize({ chunkSize: 256 * 1024 }) }))
    root = entry.cid;
  refs.add(root!.toString(), recorder.leaves);
  writeFileSync(join(dir.path, "odd.bin"), bytes);
  files.set(root!.toString(), join(dir.path, "odd.bin"));
  // Only the last leaf (5 bytes, read as a chunk of its own) is one of the chunks read.
  expect(recorder.leaves).toEqual([{ leaf: (await leafOf(bytes.subarray(MIB))).toString(), offset: MIB, length: 5 }]);
  expect(storedBlocks()).toBe(5); // four 256 KiB leaves, and the root
  expect(await verifyDag(store, root!)).toEqual({ blocks: 6, size: bytes.byteLength, problem: null, dropped: null });
});

test("a file's places go when it is unpinned (forgetRoot) or its leaf is collected (delete); all blocks, stored or placed, are listed once", async () => {
  const a = await importAsFile("a.bin", randomBytes(2 * MIB + 1));
  const b = await importAsFile("b.bin", randomBytes(100));
  // Stored blocks are listed by their hash (blockstore-fs keeps no codec): compare multihashes.
  const hashOf = (cid: string) => Buffer.from(CID.parse(cid).multihash.bytes).toString("hex");
  const listed: string[] = [];
  for await (const { cid } of store.getAll()) listed.push(hashOf(cid.toString()));
  expect(listed.sort()).toEqual([a.root, b.root, ...refs.leavesOf(a.root).map((l) => l.leaf)].map(hashOf).sort());
  refs.forgetRoot(a.root);
  expect(refs.leavesOf(a.root)).toEqual([]);
  expect(await store.has(CID.parse(b.root))).toBe(true);
  await store.delete(CID.parse(b.root));
  expect(await store.has(CID.parse(b.root))).toBe(false);
  expect(refs.placesOf(b.root)).toEqual([]);
  // The root of a stays a stored block until it is collected.
  expect(await store.has(CID.parse(a.root))).toBe(true);
});

test("LeafRefs.leaves pages through every leaf while they are being deleted", () => {
  const leaves = Array.from({ length: 1203 }, (_, i) => ({ leaf: `leaf-${String(i).padStart(5, "0")}`, offset: i, length: 1 }));
  refs.add("root-x", leaves);
  const seen: string[] = [];
  for (const leaf of refs.leaves()) {
    seen.push(leaf);
    refs.forgetLeaf(leaf);
  }
  expect(seen).toEqual(leaves.map((l) => l.leaf));
  expect([...refs.leaves()]).toEqual([]);
});

test("reclaim: stored copies of leaves that have a place are counted (dry run), then deleted; the bytes still come from the file", async () => {
  const bytes = randomBytes(2 * MIB);
  const { root } = await importAsFile("twice.bin", bytes);
  const leaves = refs.leavesOf(root).map((l) => CID.parse(l.leaf));
  for (const [i, leaf] of leaves.entries()) await stored.put(leaf, bytes.subarray(i * MIB, (i + 1) * MIB));
  const other = await leafOf(randomBytes(10));
  await stored.put(other, randomBytes(10)); // a block without a place stays
  expect(await store.reclaim(true)).toEqual({ blocks: 2, bytes: 2 * MIB });
  expect(storedBlocks()).toBe(4);
  expect(await store.reclaim(false)).toEqual({ blocks: 2, bytes: 2 * MIB });
  expect(storedBlocks()).toBe(2); // the root, and the block without a place
  expect(await store.reclaim(true)).toEqual({ blocks: 0, bytes: 0 });
  expect(await verifyDag(store, CID.parse(root))).toEqual({ blocks: 3, size: 2 * MIB, problem: null, dropped: null });
});

test("a block of another codec whose bytes are a placed chunk (a file that is an exported block) is found at that place", async () => {
  const bytes = randomBytes(1000);
  const { root } = await importAsFile("block.bin", bytes);
  const asDagPb = CID.createV1(0x70, CID.parse(root).multihash);
  expect(await store.has(asDagPb)).toBe(true);
  expect(await read(asDagPb)).toEqual(bytes);
});

test("verifyDag names what it cannot read: a stored block whose bytes changed, a block of another codec, a hash other than SHA-256", async () => {
  const { root } = await importAsFile("root.bin", randomBytes(MIB + 1));
  // The root is a stored block: change its bytes on disk (blockstore-fs names it by its hash).
  const rootCid = CID.parse(root);
  const [rootFile] = readdirSync(join(dir.path, "blocks"), { recursive: true }).filter((f) => String(f).endsWith(".data"));
  writeFileSync(join(dir.path, "blocks", String(rootFile)), new Uint8Array([1, 2, 3]));
  expect(await verifyDag(store, rootCid)).toEqual({ blocks: 0, size: 0, problem: `${root}: its bytes do not match its hash`, dropped: null });
  const cbor = CID.createV1(0x71, await sha256.digest(new Uint8Array([0xa0])));
  await stored.put(cbor, new Uint8Array([0xa0]));
  expect((await verifyDag(store, cbor)).problem).toBe(`${cbor}: not a file's block (codec 113)`);
  const identity = CID.createV1(raw.code, identityHash.digest(new Uint8Array([7])));
  expect((await verifyDag(store, identity)).problem).toBe(`${identity}: not a SHA-256 block`);
});

test("mending: a damaged stored block is dropped for the next import to write again; a damaged placed leaf is not (the file itself changed)", async () => {
  const bytes = randomBytes(2 * MIB + 1);
  const { root, path } = await importAsFile("mend.bin", bytes);
  const rootCid = CID.parse(root);
  const [rootFile] = readdirSync(join(dir.path, "blocks"), { recursive: true }).filter((f) => String(f).endsWith(".data"));
  writeFileSync(join(dir.path, "blocks", String(rootFile)), new Uint8Array([1, 2, 3]));
  const dropped: string[] = [];
  const drop = async (cid: CID) => (dropped.push(cid.toString()), store.dropStored(cid));
  expect(await verifyDag(store, rootCid, drop)).toEqual({ blocks: 0, size: 0, problem: `${root}: its bytes do not match its hash`, dropped: root });
  expect(await stored.has(rootCid)).toBe(false);
  await importFile(store, refs, chunksOf(bytes));
  expect(await verifyDag(store, rootCid, drop)).toEqual({ blocks: 4, size: bytes.byteLength, problem: null, dropped: null });
  // A leaf read from its file is checked and refused, but there is no stored copy to drop.
  const second = await leafOf(bytes.subarray(MIB, 2 * MIB));
  const changed = bytes.slice();
  changed[MIB + 5]! ^= 0xff;
  writeFileSync(path, changed);
  const check = await verifyDag(store, rootCid, drop);
  expect([check.problem, check.dropped]).toEqual([`block not found: ${second} (no file holds these bytes any more)`, null]);
  expect(dropped).toEqual([root]);
  expect(await store.dropStored(second)).toBe(false);
  expect(refs.leavesOf(root)).toHaveLength(3); // its places are kept
});

test("getAll lists every block once: stored, placed, or both (an earlier version's leaf not yet reclaimed)", async () => {
  const bytes = randomBytes(MIB + 10);
  const { root } = await importAsFile("all.bin", bytes);
  const first = await leafOf(bytes.subarray(0, MIB));
  await stored.put(first, bytes.subarray(0, MIB));
  // (blockstore-fs names a stored block by its multihash alone: compare those.)
  const hashOf = (cid: CID) => CID.createV1(raw.code, cid.multihash).toString();
  const listed = (await Array.fromAsync(store.getAll())).map((p) => hashOf(p.cid)).sort();
  expect(listed).toEqual([hashOf(CID.parse(root)), hashOf(first), hashOf(await leafOf(bytes.subarray(MIB)))].sort());
});

test("getMany and putMany pass through: placed leaves and stored blocks alike", async () => {
  const bytes = randomBytes(MIB + 3);
  const { root } = await importAsFile("many.bin", bytes);
  const extra = randomBytes(50);
  const extraCid = await leafOf(extra);
  expect(await Array.fromAsync(store.putMany([{ cid: extraCid, bytes: extra }]))).toEqual([extraCid]);
  const wanted = [await leafOf(bytes.subarray(0, MIB)), CID.parse(root), extraCid];
  const got = await Array.fromAsync(store.getMany(wanted));
  expect(got.map((p) => p.cid)).toEqual(wanted);
  const first = await Array.fromAsync(got[0]!.bytes as AsyncIterable<Uint8Array>);
  expect(Buffer.concat(first)).toEqual(Buffer.from(bytes.subarray(0, MIB)));
  expect(Buffer.concat(await Array.fromAsync(got[2]!.bytes as AsyncIterable<Uint8Array>))).toEqual(Buffer.from(extra));
  expect(await Array.fromAsync(store.deleteMany([extraCid]))).toEqual([extraCid]);
  expect(await store.has(extraCid)).toBe(false);
});
