// Read a file's whole DAG back through the blockstore, as a peer asking for it would be served:
// every block's bytes are checked against its CID's hash, and the leaves' sizes add up to the file's.
// `pc2 storage check --deep` runs it for every file (storage-check.ts).
import * as dagPb from "@ipld/dag-pb";
import type { Blockstore } from "interface-blockstore";
import type { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { sameBytes } from "./filestore-blockstore.ts";

export interface DagCheck {
  blocks: number;
  /** The bytes of the file's leaves, counted once per place they take in the file. */
  size: number;
  /** Why it could not be read whole (the first problem met), or null. */
  problem: string | null;
  /** The stored block that was damaged and dropped (with `drop`), so that an import writes it again. */
  dropped: string | null;
}

async function bytesOf(store: Pick<Blockstore, "get">, cid: CID): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of store.get(cid) as AsyncIterable<Uint8Array>) chunks.push(c);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * `drop`, if given, is handed a block whose bytes do not match its hash and says whether it removed
 * it (a stored copy, which would otherwise stand in the way of the same block written again).
 */
export async function verifyDag(store: Pick<Blockstore, "get">, root: CID, drop?: (cid: CID) => Promise<boolean>): Promise<DagCheck> {
  const sizeOf = new Map<string, number>(); // a block seen before: its leaves' bytes, not read again
  let blocks = 0;
  let dropped: string | null = null;
  const visit = async (cid: CID): Promise<number> => {
    const key = cid.toString();
    const known = sizeOf.get(key);
    if (known !== undefined) return known;
    if (cid.multihash.code !== sha256.code) throw new Error(`${key}: not a SHA-256 block`);
    const bytes = await bytesOf(store, cid);
    if (!sameBytes((await sha256.digest(bytes)).digest, cid.multihash.digest)) {
      if (drop && (await drop(cid))) dropped = key;
      throw new Error(`${key}: its bytes do not match its hash`);
    }
    blocks++;
    let size = 0;
    if (cid.code === raw.code) size = bytes.byteLength;
    else if (cid.code === dagPb.code) for (const link of dagPb.decode(bytes).Links) size += await visit(link.Hash);
    else throw new Error(`${key}: not a file's block (codec ${cid.code})`);
    sizeOf.set(key, size);
    return size;
  };
  try {
    const size = await visit(root);
    return { blocks, size, problem: null, dropped };
  } catch (err) {
    return { blocks, size: 0, problem: err instanceof Error ? err.message : String(err), dropped };
  }
}
