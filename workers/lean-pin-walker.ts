// A DAG walker for pinning that never reads raw leaves (they cannot link anywhere): it only checks they
// exist, and reads linking nodes one at a time. Helia's default walker loads every block's bytes and
// runs ahead of the pin bookkeeping, which held ~100 MiB per GiB pinned.
// It also visits each CID once. Helia's pins.rm decrements once per *visit*: a block linked twice
// (a file with two identical 1 MiB chunks) went to 0, was deleted, then came back at -1 and stayed
// "pinned" forever, so garbage collection never freed it.
import type { Blockstore } from "interface-blockstore";
import { createUnsafe } from "multiformats/block";
import type { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";

interface WalkerComponents {
  blockstore: Blockstore;
  getCodec(code: number): unknown;
}

interface Step {
  cid: CID;
  depth: number;
  path: CID[];
}

export function leanPinWalker() {
  return (components: WalkerComponents) => ({
    async *walk(root: CID, options: { depth?: number; signal?: AbortSignal } = {}) {
      const maxDepth = options.depth ?? Infinity;
      const stack: Step[] = [{ cid: root, depth: 0, path: [root] }];
      const seen = new Set<string>();
      while (stack.length) {
        options.signal?.throwIfAborted();
        const step = stack.pop()!;
        const key = step.cid.toString();
        if (seen.has(key)) continue;
        seen.add(key);
        if (step.cid.code === raw.code) {
          if (!(await components.blockstore.has(step.cid))) throw Object.assign(new Error(`missing block ${step.cid}`), { name: "NotFoundError" });
          yield { block: { cid: step.cid }, depth: step.depth, path: step.path };
          continue;
        }
        const chunks: Uint8Array[] = [];
        for await (const c of components.blockstore.get(step.cid) as AsyncIterable<Uint8Array>) chunks.push(c);
        const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        const block = createUnsafe({ cid: step.cid, bytes, codec: (await components.getCodec(step.cid.code)) as never });
        yield { block, depth: step.depth, path: step.path };
        if (step.depth >= maxDepth) continue;
        const children = [...block.links()].map(([, c]) => c);
        for (let i = children.length - 1; i >= 0; i--) stack.push({ cid: children[i]!, depth: step.depth + 1, path: [...step.path, children[i]!] });
      }
    },
  });
}
