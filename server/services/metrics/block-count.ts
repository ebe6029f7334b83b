// The number of blocks in the IPFS blockstore (a folder per shard, a file per block), counted at
// most once a minute: a scrape never walks a large store twice in a row.
import { readdir } from "node:fs/promises";
import { join } from "node:path";

const EVERY_MS = 60_000;

export function countBlocks(dir: string): () => Promise<number> {
  let last = { at: -Infinity, count: 0 };
  return async () => {
    if (performance.now() - last.at < EVERY_MS) return last.count;
    let count = 0;
    try {
      for (const shard of await readdir(dir, { withFileTypes: true })) if (shard.isDirectory()) count += (await readdir(join(dir, shard.name))).length;
    } catch {
      // No blockstore yet: nothing stored.
    }
    last = { at: performance.now(), count };
    return count;
  };
}
