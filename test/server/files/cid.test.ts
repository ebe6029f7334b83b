// The CID returned for an upload always matches the bytes: recomputed here from first principles
// (SHA-256, raw leaves, a UnixFS dag-pb root), without the importer the node uses.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { base32upper } from "multiformats/bases/base32";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { filesClient } from "../../helpers/files-client.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { claimOwner, httpFetcher } from "../../helpers/wallet-auth.ts";

const CHUNK = 1_048_576;

/** blockstore-fs keeps a block at blocks/<last 2 chars>/<BASE32 multihash>.data. */
function existsBlock(dataDir: string, cid: string): boolean {
  const key = base32upper.encoder.encode(CID.parse(cid).multihash.bytes);
  return existsSync(join(dataDir, "ipfs", "blocks", key.slice(-2), `${key}.data`));
}

/** CIDv1 of a file imported with raw leaves and fixed 1 MiB chunks (fewer than 174 chunks: one root). */
async function expectedCid(bytes: Uint8Array): Promise<string> {
  const leaf = async (b: Uint8Array) => CID.createV1(raw.code, await sha256.digest(b));
  if (bytes.length <= CHUNK) return (await leaf(bytes)).toString();
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) chunks.push(bytes.subarray(i, i + CHUNK));
  if (chunks.length > 174) throw new Error("this helper builds one layer only");
  const links = await Promise.all(chunks.map(async (c) => ({ Hash: await leaf(c), Name: "", Tsize: c.length })));
  const data = new UnixFS({ type: "file", blockSizes: chunks.map((c) => BigInt(c.length)) }).marshal();
  const root = dagPb.encode(dagPb.prepare({ Data: data, Links: links }));
  return CID.createV1(dagPb.code, await sha256.digest(root)).toString();
}

let t: TestNode;
let fs: ReturnType<typeof filesClient>;
beforeAll(async () => {
  t = await startTestNode();
  fs = filesClient(httpFetcher(t.url), await claimOwner(httpFetcher(t.url), t.started.setup.code!));
});
afterAll(() => t.stop());

describe("CIDs", () => {
  // Up to 256 KiB a body is held whole and named by its hash, its pin made after the answer; past
  // that it is imported as it arrives, and pinned before the answer. Either way its leaves are read
  // from the file for IPFS (workers/filestore-blockstore.ts), not kept twice.
  const HELD = 256 * 1024;
  const sizes = [0, 1, 1000, HELD, HELD + 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 12345];
  for (const size of sizes) {
    test(`${size} bytes`, async () => {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)));
      const w = await fs.write("~/Documents", `blob-${size}.bin`, bytes);
      expect(w.status).toBe(200);
      expect(w.body.cid).toBe(await expectedCid(bytes));
      if (size <= HELD) await t.node.services.pins.settled();
      expect(await t.node.services.ipfs.isPinned(w.body.cid)).toBe(true);
      // IPFS gives the whole file back, every block checked against its hash: the leaves are read
      // from the file itself, never stored a second time; a tree's root is stored as a block.
      const leaves = Math.max(1, Math.ceil(size / CHUNK));
      expect(await t.node.services.ipfs.verify(w.body.cid)).toEqual({ blocks: leaves > 1 ? leaves + 1 : 1, size, problem: null, dropped: null });
      const firstLeaf = CID.createV1(raw.code, await sha256.digest(bytes.subarray(0, CHUNK))).toString();
      expect(existsBlock(t.dataDir, firstLeaf)).toBe(false);
      expect(existsBlock(t.dataDir, w.body.cid)).toBe(leaves > 1);
    });
  }
});

describe("pins follow the files", () => {
  test("deleting for good unpins; emptying the Trash garbage-collects the blocks", async () => {
    const bytes = new Uint8Array(2 * CHUNK + 5).fill(7);
    const w = await fs.write("~/Documents", "pinned.bin", bytes);
    const ipfs = t.node.services.ipfs;
    expect(await ipfs.isPinned(w.body.cid)).toBe(true);
    // A copy shares the CID: the pin stays while any entry uses it.
    await fs.post("/copy", { source: "~/Documents/pinned.bin", destination: "~/Desktop" });
    await fs.post("/delete", { paths: ["~/Documents/pinned.bin"] });
    await fs.post("/delete", { paths: ["~/Trash"], descendants_only: true });
    expect(await ipfs.isPinned(w.body.cid)).toBe(true);
    // The bytes IPFS gives back now come from the copy (a hard link of the blob that went).
    expect(await ipfs.verify(w.body.cid)).toEqual({ blocks: 3, size: bytes.byteLength, problem: null, dropped: null });
    await fs.post("/delete", { paths: ["~/Desktop/pinned.bin"] });
    await fs.post("/delete", { paths: ["~/Trash"], descendants_only: true });
    for (let i = 0; i < 50 && (await ipfs.isPinned(w.body.cid)); i++) await Bun.sleep(20);
    expect(await ipfs.isPinned(w.body.cid)).toBe(false);
    expect(await ipfs.pins()).not.toContain(w.body.cid);
    // And garbage collection deleted its blocks from disk: the root, and the leaf that the root links
    // twice (two identical 1 MiB chunks; Helia's own unpin left such a block pinned forever).
    await ipfs.gc();
    const leafCid = CID.createV1(raw.code, await sha256.digest(bytes.subarray(0, CHUNK))).toString();
    expect(await ipfs.isPinned(leafCid)).toBe(false);
    expect(existsBlock(t.dataDir, w.body.cid)).toBe(false);
    expect(existsBlock(t.dataDir, leafCid)).toBe(false);
    expect((await ipfs.verify(w.body.cid)).problem).toContain("block not found");
    expect((await ipfs.verify(leafCid)).problem).toBe(`block not found: ${leafCid} (neither stored nor in a file)`);
  });
});
