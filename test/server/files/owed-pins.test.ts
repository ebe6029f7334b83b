// A file that fits one IPFS block is answered before it is pinned: its CID is its SHA-256, its pin
// is owed (a row in owed_pins, written with the file's) and made just after. These tests hold the
// owed pin to being made — after the answer, after a stop or a crash, after a failure — and to
// leaving nothing behind when its file is gone first. Driven on real nodes and a real IPFS worker.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { BlobStore } from "../../../server/services/files/blob-store.ts";
import { InlineBlobs } from "../../../server/services/files/inline-blobs.ts";
import { FilesRepository } from "../../../server/services/files/files.repository.ts";
import { IpfsClient } from "../../../server/services/files/ipfs.client.ts";
import { OwedPins } from "../../../server/services/files/owed-pins.ts";
import { singleBlockCid } from "../../../server/services/files/single-block-cid.ts";
import { checkStorage, isClean } from "../../../server/services/files/storage-check.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { withMethod } from "../../helpers/with-method.ts";

const plain = { createParents: false, overwrite: false, dedupe: false };
const newWallet = () => `0x${crypto.randomUUID().replaceAll("-", "").padEnd(40, "0")}`;
const unique = (label: string) => new TextEncoder().encode(`${label} ${crypto.randomUUID()}`);
async function* chunks(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield p;
}
const quietLog = { warn: () => undefined, error: () => undefined } as never;

let t: TestNode;
beforeAll(async () => {
  t = await startTestNode();
});
afterAll(() => t.stop());
const s = () => t.node.services;
const owed = () => new FilesRepository(t.node.ctx.db).owedPins();

test("a small file is answered with the CID of its bytes, and pinned just after: the block is stored, nothing stays owed", async () => {
  const owner = newWallet();
  const bytes = unique("small");
  await s().pins.stop(); // hold the pin back, to see the answer come first
  const row = await s().writer.write(owner, "/Documents/small.txt", chunks(bytes), plain);
  const cid = singleBlockCid(bytes.byteLength, new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
  expect(row.cid).toBe(cid);
  expect(owed()).toContainEqual({ owner, blob: row.blob!, cid });
  expect(await s().ipfs.isPinned(cid)).toBe(false);
  s().pins.start();
  await s().pins.settled();
  expect(await s().ipfs.isPinned(cid)).toBe(true);
  expect(owed()).toEqual([]);
});

test("the 1 KiB sizes a user writes most, and the largest held whole, get the importer's own CID", async () => {
  const owner = newWallet();
  for (const size of [0, 1, 1024, 256 * 1024]) {
    const bytes = new Uint8Array(size).fill(size & 0xff);
    const row = await s().writer.write(owner, `/Documents/size-${size}.bin`, chunks(bytes), plain);
    await s().pins.settled();
    // The pin is on the row's CID, so the import (which re-reads the blob) named it the same.
    expect(await s().ipfs.isPinned(row.cid!)).toBe(true);
  }
  expect(owed()).toEqual([]);
});

test("a file deleted for good before its pin is made leaves no pin and nothing owed", async () => {
  const owner = newWallet();
  await s().pins.stop();
  const row = await s().writer.write(owner, "/Documents/brief.txt", chunks(unique("brief")), plain);
  s().trash.delete(owner, [{ uid: row.uid }]); // to the Trash
  s().trash.delete(owner, [{ uid: row.uid }]); // and for good
  expect(owed().map((o) => o.blob)).toContain(row.blob!);
  s().pins.start();
  await s().pins.settled();
  expect(owed()).toEqual([]);
  expect(await s().ipfs.isPinned(row.cid!)).toBe(false);
});

test("a file deleted for good before its pin, but copied first: the copy's bytes are pinned", async () => {
  const owner = newWallet();
  await s().pins.stop();
  const row = await s().writer.write(owner, "/Documents/original.txt", chunks(unique("copied")), plain);
  const desktop = new FilesRepository(t.node.ctx.db).byPath(owner, "/Desktop")!;
  const copy = s().files.copy(owner, { uid: row.uid }, { uid: desktop.uid }, plain);
  s().trash.delete(owner, [{ uid: row.uid }]);
  s().trash.delete(owner, [{ uid: row.uid }]);
  expect(copy).toBeTruthy();
  expect(new FilesRepository(t.node.ctx.db).cidInUse(row.cid!)).toBe(true);
  s().pins.start();
  await s().pins.settled();
  expect(owed()).toEqual([]);
  expect(await s().ipfs.isPinned(row.cid!)).toBe(true);
});

test("a file deleted while its pin is made: the pin is removed again", async () => {
  const { repo, blobs, ipfs } = { repo: new FilesRepository(t.node.ctx.db), blobs: s().blobs, ipfs: s().ipfs };
  const owner = newWallet();
  const bytes = unique("gone meanwhile");
  await s().pins.stop();
  const row = await s().writer.write(owner, "/Documents/meanwhile.txt", chunks(bytes), plain);
  // The import runs; the file is deleted for good before it answers (the blob is held by a backup, so it is still there to read).
  const release = blobs.holdRemovals();
  const slowIpfs = withMethod(ipfs, "add", async (path: string) => {
    s().trash.delete(owner, [{ uid: row.uid }]);
    s().trash.delete(owner, [{ uid: row.uid }]);
    return ipfs.add(path);
  });
  const pins = new OwedPins({ repo, blobs, ipfs: slowIpfs, log: quietLog });
  pins.start();
  await pins.settled();
  release();
  expect(repo.owedPins()).toEqual([]);
  expect(await ipfs.isPinned(row.cid!)).toBe(false);
  s().pins.start();
});

test("a pin that fails stays owed and is made on a later try", async () => {
  const repo = new FilesRepository(t.node.ctx.db);
  const owner = newWallet();
  await s().pins.stop();
  const row = await s().writer.write(owner, "/Documents/retry.txt", chunks(unique("retry")), plain);
  let tries = 0;
  const flaky = withMethod(s().ipfs, "add", (path: string) => (++tries === 1 ? Promise.reject(new Error("blockstore: disk full")) : s().ipfs.add(path)));
  const warned: [string, Record<string, unknown>][] = [];
  const errors: string[] = [];
  const log = { warn: (m: string, fields: Record<string, unknown>) => warned.push([m, fields]), error: (m: string) => errors.push(m) };
  const pins = new OwedPins({ repo, blobs: s().blobs, ipfs: flaky, log: log as never }, 50);
  pins.start();
  await pins.settled();
  expect(tries).toBe(1);
  expect(warned).toEqual([["an owed IPFS pin failed; it is tried again later", { cid: row.cid, err: new Error("blockstore: disk full") }]]);
  expect(repo.owedPins().map((o) => o.blob)).toEqual([row.blob!]);
  for (let i = 0; i < 100 && repo.owedPins().length > 0; i++) await Bun.sleep(20);
  await pins.settled();
  expect(tries).toBe(2);
  expect(repo.owedPins()).toEqual([]);
  expect(await s().ipfs.isPinned(row.cid!)).toBe(true);
  // The import named the bytes as the index did: nothing to correct.
  expect(errors).toEqual([]);
  expect(repo.byUid(owner, row.uid)!.cid).toBe(row.cid);
  await pins.stop();
  s().pins.start();
});

test("an import that fails because the file went meanwhile (no copy left) is not tried again: nothing is owed", async () => {
  const repo = new FilesRepository(t.node.ctx.db);
  const owner = newWallet();
  await s().pins.stop();
  const row = await s().writer.write(owner, "/Documents/vanishing.txt", chunks(unique("vanishing")), plain);
  let tries = 0;
  const vanishing = withMethod(s().ipfs, "add", async () => {
    tries++;
    s().trash.delete(owner, [{ uid: row.uid }]);
    s().trash.delete(owner, [{ uid: row.uid }]);
    throw new Error("ENOENT: the blob went");
  });
  const warned: string[] = [];
  const errors: string[] = [];
  const log = { warn: (m: string) => warned.push(m), error: (m: string) => errors.push(m) };
  const pins = new OwedPins({ repo, blobs: s().blobs, ipfs: vanishing, log: log as never }, 50);
  pins.start();
  await pins.settled();
  await Bun.sleep(150);
  expect(tries).toBe(1);
  expect([warned, errors]).toEqual([[], []]);
  expect(repo.owedPins()).toEqual([]);
  expect(await s().ipfs.isPinned(row.cid!)).toBe(false);
  await pins.stop();
  s().pins.start();
});

test("if the import ever names the bytes otherwise, the index takes the import's CID", async () => {
  const repo = new FilesRepository(t.node.ctx.db);
  const owner = newWallet();
  await s().pins.stop();
  const row = await s().writer.write(owner, "/Documents/renamed.txt", chunks(unique("renamed")), plain);
  const other = singleBlockCid(1, new Uint8Array(32).fill(9));
  const errors: [string, Record<string, unknown>][] = [];
  const lying = withMethod(s().ipfs, "add", async () => other);
  const log = { warn: () => undefined, error: (m: string, fields: Record<string, unknown>) => errors.push([m, fields]) };
  const pins = new OwedPins({ repo, blobs: s().blobs, ipfs: lying, log: log as never });
  pins.start();
  await pins.settled();
  expect(errors).toEqual([["an owed pin's CID differs from the index's; the index takes the import's", { cid: row.cid, pinned: other }]]);
  expect(repo.byUid(owner, row.uid)!.cid).toBe(other);
  expect(repo.owedPins()).toEqual([]);
  s().pins.start();
});

test("pins owed at a stop are made at the next start; until then `storage check` lists them apart, not as faults", async () => {
  const dir = makeTempDir();
  try {
    let node = await startTestNode({ dataDir: dir.path });
    const owner = newWallet();
    await node.node.services.pins.stop();
    const row = await node.node.services.writer.write(owner, "/Documents/later.txt", chunks(unique("later")), plain);
    await node.node.stop("test");

    const db = new Database(join(dir.path, "pc2.db"));
    const ipfs = new IpfsClient(join(dir.path, "ipfs"));
    ipfs.start();
    const report = await checkStorage(new FilesRepository(db), new BlobStore(join(dir.path, "files"), join(dir.path, "tmp"), new InlineBlobs(db)), ipfs, false);
    await ipfs.stop();
    db.close();
    expect(report.owedPins).toEqual([row.cid!]);
    expect(report.unpinned).toEqual([]);
    expect(isClean(report)).toBe(true);

    node = await startTestNode({ dataDir: dir.path });
    await node.node.services.pins.settled();
    expect(await node.node.services.ipfs.isPinned(row.cid!)).toBe(true);
    expect(new FilesRepository(node.node.ctx.db).owedPins()).toEqual([]);
    await node.node.stop("test");
  } finally {
    dir.remove();
  }
});

test("owed pins wait for a pause in writing, but never past the longest wait", async () => {
  const repo = new FilesRepository(t.node.ctx.db);
  const owner = newWallet();
  await s().pins.stop();
  const added: number[] = [];
  const counting = withMethod(s().ipfs, "add", (path: string) => (added.push(performance.now()), s().ipfs.add(path)));
  const pins = new OwedPins({ repo, blobs: s().blobs, ipfs: counting, log: quietLog }, 30_000, 150, 600);
  // A write every 50 ms: never a 150 ms pause, so the longest wait (600 ms) decides.
  const began = performance.now();
  for (let i = 0; i < 16; i++) {
    await s().writer.write(owner, `/Documents/steady-${i}.txt`, chunks(unique("steady")), plain);
    pins.pinOwed();
    await Bun.sleep(50);
  }
  expect(added.length).toBeGreaterThan(0);
  expect(added[0]! - began).toBeGreaterThanOrEqual(590);
  // Then a pause: what is owed is made once it has lasted 150 ms.
  for (let i = 0; i < 100 && repo.owedPins().length > 0; i++) await Bun.sleep(20);
  await pins.settled();
  expect(repo.owedPins()).toEqual([]);
  // One more, and nothing happens before the pause has lasted.
  await s().writer.write(owner, "/Documents/alone.txt", chunks(unique("alone")), plain);
  const before = added.length;
  pins.pinOwed();
  await Bun.sleep(60);
  expect(added.length).toBe(before);
  await Bun.sleep(200);
  await pins.settled();
  expect(added.length).toBe(before + 1);
  await pins.stop();
  s().pins.start();
});

/** The node's IPFS client, its add() counted (and slowed by `delayMs`), the rest as is. */
function countingIpfs(delayMs = 0) {
  const seen = { adds: 0, inFlight: 0, most: 0 };
  const real = s().ipfs;
  const ipfs = withMethod(real, "add", async (path: string) => {
    seen.adds++;
    seen.most = Math.max(seen.most, ++seen.inFlight);
    try {
      await Bun.sleep(delayMs);
      return await real.add(path);
    } finally {
      seen.inFlight--;
    }
  });
  return { ipfs, seen };
}

async function oweSome(n: number, label: string): Promise<string> {
  const owner = newWallet();
  await s().pins.stop();
  for (let i = 0; i < n; i++) await s().writer.write(owner, `/Documents/${label}-${i}.txt`, chunks(unique(label)), plain);
  return owner;
}

test("more pins than one pass reads (64) are all made, four imports at a time", async () => {
  const repo = new FilesRepository(t.node.ctx.db);
  await oweSome(70, "many");
  const { ipfs, seen } = countingIpfs(5);
  const pins = new OwedPins({ repo, blobs: s().blobs, ipfs, log: quietLog });
  pins.start();
  await pins.settled();
  expect(repo.owedPins()).toEqual([]);
  expect(seen.adds).toBe(70);
  expect(seen.most).toBe(4);
  await pins.stop();
  s().pins.start();
});

test("pins owed while a pass runs are made by that pass's next round, each once, never more than four at a time", async () => {
  const repo = new FilesRepository(t.node.ctx.db);
  const owner = await oweSome(12, "during");
  const { ipfs, seen } = countingIpfs(60);
  const pins = new OwedPins({ repo, blobs: s().blobs, ipfs, log: quietLog }, 30_000, 5, 20);
  pins.start();
  await Bun.sleep(30);
  for (let i = 0; i < 4; i++) await s().writer.write(owner, `/Documents/during-late-${i}.txt`, chunks(unique("late")), plain);
  pins.pinOwed();
  await Bun.sleep(40); // the quiet pause ends while the first pass is still importing
  await pins.settled();
  expect(repo.owedPins()).toEqual([]);
  expect(seen.adds).toBe(16);
  expect(seen.most).toBe(4);
  await pins.stop();
  s().pins.start();
});

test("stop() lets the imports under way finish, starts no more, and leaves the rest owed; no retry comes after it", async () => {
  const repo = new FilesRepository(t.node.ctx.db);
  await oweSome(10, "stopping");
  const { ipfs, seen } = countingIpfs(100);
  const pins = new OwedPins({ repo, blobs: s().blobs, ipfs, log: quietLog });
  pins.start();
  await Bun.sleep(30);
  await pins.stop();
  expect(seen.adds).toBe(4);
  expect(repo.owedPins().length).toBe(6);
  await Bun.sleep(150);
  expect(seen.adds).toBe(4);
  // A pin that failed is not tried again once stopped.
  let tries = 0;
  const failing = withMethod(s().ipfs, "add", async () => (tries++, Promise.reject(new Error("disk full"))));
  const retrying = new OwedPins({ repo, blobs: s().blobs, ipfs: failing, log: quietLog }, 50);
  retrying.start();
  await retrying.settled();
  const after = tries;
  expect(after).toBeGreaterThan(0);
  await retrying.stop();
  await Bun.sleep(200);
  expect(tries).toBe(after);
  // Nor does a pin owed after the stop start a pass.
  retrying.pinOwed();
  await Bun.sleep(200);
  expect(tries).toBe(after);
  s().pins.start();
  await s().pins.settled();
  expect(repo.owedPins()).toEqual([]);
});

test("singleBlockCid refuses what is not one block's SHA-256", () => {
  expect(() => singleBlockCid(1024 * 1024 + 1, new Uint8Array(32))).toThrow("a file of 1048577 bytes is more than one block");
  expect(() => singleBlockCid(10, new Uint8Array(20))).toThrow("a SHA-256 digest is 32 bytes");
  expect(singleBlockCid(0, new Uint8Array(32))).toMatch(/^bafkrei/);
  // The largest one block holds (the importer's chunk) is still one block.
  expect(singleBlockCid(1024 * 1024, new Uint8Array(32))).toBe(singleBlockCid(0, new Uint8Array(32)));
});
