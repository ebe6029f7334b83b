// IPFS blocks without a second copy of every file. A file's raw leaves (its 1 MiB chunks) are not
// written to the blockstore: each is recorded as a place in the file — (leaf, the file's root CID,
// offset, length) in leaf-refs.ts — and read back from a blob whose file has that root when asked
// for, its bytes checked against the leaf's hash. Linking nodes (dag-pb, ~50 bytes per MiB) and any
// leaf that came without a place are stored as blocks as before. The idea is kubo's filestore
// (`--nocopy`), keyed by the file's CID instead of a path, so that copies (hard links), a deleted
// original or a moved data folder need nothing: any blob of that CID holds the same bytes.
import type { Blockstore, InputPair, Pair } from "interface-blockstore";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import type { LeafRefs } from "./leaf-refs.ts";
import type { BlobSource } from "./protocol.ts";

/** What the store interfaces pass along with a call. */
type AbortOptions = { signal?: AbortSignal };

/** Where the bytes of a file with this root CID are (a blob file, or a small file's bytes), or null if the node has none. */
export type LocateFile = (root: string) => Promise<BlobSource | null>;

function notFound(cid: CID, why: string): Error {
  // Helia recognises a missing block by the error's name.
  return Object.assign(new Error(`block not found: ${cid} (${why})`), { name: "NotFoundError" });
}

/** Byte-for-byte equality (a native compare). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/**
 * Places are recorded under the raw leaf's CID; a block of any codec is its bytes, so a linking node
 * whose bytes equal some file's chunk (a file that is an exported block) is found at that place too.
 */
function placeKey(cid: CID): string {
  return CID.createV1(raw.code, cid.multihash).toString();
}

export class FilestoreBlockstore implements Blockstore {
  constructor(
    private readonly stored: Blockstore,
    readonly refs: LeafRefs,
    private readonly locate: LocateFile,
  ) {}

  async has(cid: CID, options?: AbortOptions): Promise<boolean> {
    return this.refs.has(placeKey(cid)) || this.stored.has(cid, options);
  }

  put(cid: CID, bytes: InputPair["bytes"], options?: AbortOptions): Promise<CID> {
    return Promise.resolve(this.stored.put(cid, bytes, options));
  }

  async *putMany(source: Iterable<InputPair> | AsyncIterable<InputPair>, options?: AbortOptions): AsyncGenerator<CID> {
    yield* this.stored.putMany(source, options);
  }

  async *get(cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    if (!(await this.stored.has(cid, options))) {
      yield await this.readLeaf(cid);
      return;
    }
    yield* this.stored.get(cid, options);
  }

  async *getMany(source: Iterable<CID> | AsyncIterable<CID>, options?: AbortOptions): AsyncGenerator<Pair> {
    for await (const cid of source) yield { cid, bytes: this.get(cid, options) };
  }

  async delete(cid: CID, options?: AbortOptions): Promise<void> {
    this.refs.forgetLeaf(cid.toString());
    await this.stored.delete(cid, options);
  }

  async *deleteMany(source: Iterable<CID> | AsyncIterable<CID>, options?: AbortOptions): AsyncGenerator<CID> {
    for await (const cid of source) {
      await this.delete(cid, options);
      yield cid;
    }
  }

  /**
   * Delete the stored copy of a block, keeping its places (a damaged copy: the next import of its
   * file writes it again, and a leaf with a place is read from its file meanwhile). False if none.
   */
  async dropStored(cid: CID): Promise<boolean> {
    if (!(await this.stored.has(cid))) return false;
    await this.stored.delete(cid);
    return true;
  }

  /** Stored blocks, then the leaves known only by their place (read lazily, like the stored ones). */
  async *getAll(options?: AbortOptions): AsyncGenerator<Pair> {
    yield* this.stored.getAll(options);
    for (const leaf of this.refs.leaves()) {
      const cid = CID.parse(leaf);
      if (!(await this.stored.has(cid, options))) yield { cid, bytes: this.get(cid, options) };
    }
  }

  /**
   * Delete the stored copies of blocks whose bytes have a place in a file (leaves an earlier
   * version stored). Safe once every pinned file has its places recorded (`pc2 storage check
   * --repair` re-imports those without first). `dryRun`: only count them.
   */
  async reclaim(dryRun: boolean): Promise<{ blocks: number; bytes: number }> {
    let blocks = 0;
    let bytes = 0;
    for await (const { cid } of this.stored.getAll()) {
      const places = this.refs.placesOf(placeKey(cid));
      if (places.length === 0) continue;
      blocks++;
      bytes += places[0]!.length;
      if (!dryRun) await this.stored.delete(cid);
    }
    return { blocks, bytes };
  }

  /** A block's bytes from the first file that holds them intact. */
  private async readLeaf(cid: CID): Promise<Uint8Array> {
    const places = this.refs.placesOf(placeKey(cid));
    // (Places are recorded for SHA-256 leaves only: another hash has none, and reads as not found.)
    if (places.length === 0) throw notFound(cid, "neither stored nor in a file");
    for (const place of places) {
      const source = await this.locate(place.root);
      if (!source) continue;
      let bytes: Uint8Array;
      if ("bytes" in source) bytes = source.bytes.subarray(place.offset, place.offset + place.length);
      else {
        try {
          bytes = await Bun.file(source.path)
            .slice(place.offset, place.offset + place.length)
            .bytes();
        } catch {
          continue; // the blob went meanwhile
        }
      }
      if (bytes.byteLength !== place.length) continue;
      const digest = await sha256.digest(bytes);
      if (sameBytes(digest.digest, cid.multihash.digest)) return bytes;
    }
    throw notFound(cid, "no file holds these bytes any more");
  }
}
