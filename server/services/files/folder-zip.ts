// A folder as a streamed .zip (stored, not deflated): produced chunk by chunk as the client reads it.
import { Zip, ZipPassThrough } from "fflate";
import { fail } from "../../errors.ts";
import type { BlobStore } from "./blob-store.ts";
import type { FsEntryRow } from "./fs-entry.ts";

/** fflate writes classic ZIP (no ZIP64): every offset must stay below 4 GiB. */
export const ZIP_LIMIT = 0xffff_ffff - 64 * 1024 * 1024;

export function folderZip(dir: FsEntryRow, entries: FsEntryRow[], blobs: BlobStore): ReadableStream<Uint8Array> {
  const total = entries.reduce((n, e) => n + (e.size ?? 0) + 200 + e.path.length * 2, 0);
  if (total > ZIP_LIMIT) throw fail("zip_too_large", "This folder is too large to download as one zip (4 GiB at most); download its parts");
  const prefix = dir.path === "/" ? "/" : dir.path + "/";
  const root = (dir.path === "/" ? dir.owner : dir.name) + "/";
  const queue: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failure = err;
    else queue.push(chunk);
  });

  async function* produce(): AsyncGenerator<Uint8Array> {
    const dirEntry = new ZipPassThrough(root);
    zip.add(dirEntry);
    dirEntry.push(new Uint8Array(0), true);
    for (const e of entries) {
      // Names were validated at write time (no "..", "/" or "\" inside a name), so nothing can climb out.
      const name = root + e.path.slice(prefix.length) + (e.is_dir ? "/" : "");
      const part = new ZipPassThrough(name);
      part.mtime = e.modified;
      zip.add(part);
      if (!e.is_dir) {
        const reader = blobs.file(e.owner, e.blob!).stream().getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          part.push(value);
          yield* flush();
        }
      }
      part.push(new Uint8Array(0), true);
      yield* flush();
    }
    zip.end();
    yield* flush();
  }

  function* flush(): Generator<Uint8Array> {
    if (failure) throw failure;
    while (queue.length) yield queue.shift()!;
  }

  const it = produce();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await it.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await it.return(undefined);
    },
  });
}
