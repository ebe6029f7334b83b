// The blockstore one import writes to. The importer reads the file in 1 MiB chunks (ipfs.worker.ts)
// and turns each into a raw leaf; a leaf whose bytes are a chunk this import read is not written
// anywhere — its place in the file is noted, to be recorded under the file's root CID once the
// import names it (leaf-refs.ts). Anything else (linking nodes, a leaf that matches no chunk) goes
// to the store as a block, so an importer that chunked otherwise would cost space, never bytes.
import type { Blockstore, InputPair } from "interface-blockstore";
import type { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sameBytes } from "./filestore-blockstore.ts";
import type { LeafRef } from "./leaf-refs.ts";

/** What the store interfaces pass along with a call. */
type AbortOptions = { signal?: AbortSignal };

interface Chunk {
  offset: number;
  bytes: Uint8Array;
}

export class LeafRecorder {
  /** Chunks read and not yet seen as leaves, in file order. */
  private readonly unmatched: Chunk[] = [];
  private readAt = 0;
  /** The leaves found in the file, with their places. */
  readonly leaves: LeafRef[] = [];

  constructor(private readonly store: Blockstore) {}

  /** The file's chunks, passed on to the importer as they are, each noted with its offset. */
  async *track(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const bytes of chunks) {
      this.unmatched.push({ offset: this.readAt, bytes });
      this.readAt += bytes.byteLength;
      yield bytes;
    }
  }

  /** What the importer writes to: it only puts, and asks for nothing back. */
  get blockstore(): Pick<Blockstore, "put"> {
    return { put: (cid: CID, bytes: InputPair["bytes"], options?: AbortOptions) => this.put(cid, bytes, options) };
  }

  private async put(cid: CID, bytes: InputPair["bytes"], options?: AbortOptions): Promise<CID> {
    if (cid.code === raw.code && bytes instanceof Uint8Array && bytes.byteLength === 0) {
      // An empty file is one empty leaf, made by the importer from no chunk at all: zero bytes at 0.
      this.leaves.push({ leaf: cid.toString(), offset: 0, length: 0 });
      return cid;
    }
    if (cid.code === raw.code && bytes instanceof Uint8Array) {
      // Leaves come in file order: the match is the first chunk, unless one was never made a leaf.
      const at = this.unmatched.findIndex((c) => sameBytes(c.bytes, bytes));
      if (at >= 0) {
        const chunk = this.unmatched[at]!;
        this.unmatched.splice(0, at + 1);
        this.leaves.push({ leaf: cid.toString(), offset: chunk.offset, length: chunk.bytes.byteLength });
        return cid;
      }
    }
    return this.store.put(cid, bytes, options);
  }
}
