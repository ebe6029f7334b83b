// blockstore-fs with a Bun-native read path: stock reads stream through FileHandle, 3–4× slower under Bun.
import { FsBlockstore } from "blockstore-fs";
import { NextToLast } from "blockstore-fs/sharding";
import { join } from "node:path";
import type { CID } from "multiformats/cid";

export class BunFsBlockstore extends FsBlockstore {
  private readonly sharding = new NextToLast();

  constructor(location: string) {
    super(location, { shardingStrategy: new NextToLast() });
  }

  override async *get(key: CID): AsyncGenerator<Uint8Array> {
    const { dir, file } = this.sharding.encode(key);
    let bytes: Uint8Array;
    try {
      bytes = await Bun.file(join(this.path, dir, file)).bytes();
    } catch (err) {
      // Helia recognises a missing block by the error's name.
      throw Object.assign(new Error(`block not found: ${key}`), { name: "NotFoundError", cause: err });
    }
    yield bytes;
  }
}
