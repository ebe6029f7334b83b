// A folder as a streamed .zip (stored, not deflated): produced chunk by chunk as the client reads it,
// with its exact length known before the first byte, so that a browser shows the download's progress.
import { fail } from "../../errors.ts";
import type { BlobStore } from "./blob-store.ts";
import type { FsEntryRow } from "./fs-entry.ts";

/** fflate writes classic ZIP (no ZIP64): every offset must stay below 4 GiB. */
export const ZIP_LIMIT = 0xffff_ffff - 64 * 1024 * 1024;

/**
 * The archive's size in bytes, as fflate writes a stored, streamed entry: a local header (30 bytes
 * and the name), the data, a data descriptor (16), then a central record (46 and the name) per
 * entry and the end record (22). Names are counted in UTF-8 bytes; no extra fields or comments.
 */
export function zipLength(files: { name: string; size: number }[]): number {
  return files.reduce((n, f) => n + 30 + 16 + 46 + 2 * Buffer.byteLength(f.name) + f.size, 22);
}

export interface FolderZip {
  body: ReadableStream<Uint8Array>;
  /** Exactly what `body` yields (it fails rather than yield anything else). */
  length: number;
}

export function folderZip(dir: FsEntryRow, entries: FsEntryRow[], blobs: BlobStore): FolderZip {
  const prefix = dir.path === "/" ? "/" : dir.path + "/";
  const root = (dir.path === "/" ? dir.owner : dir.name) + "/";
  // Names were validated at write time (no "..", "/" or "\" inside a name), so nothing can climb out.
  const nameOf = (e: FsEntryRow) => root + e.path.slice(prefix.length) + (e.is_dir ? "/" : "");
  const length = zipLength([{ name: root, size: 0 }, ...entries.map((e) => ({ name: nameOf(e), size: e.is_dir ? 0 : (e.size ?? 0) }))]);
  if (length > ZIP_LIMIT) throw fail("zip_too_large", "This folder is too large to download as one zip (4 GiB at most); download its parts");
  const queue: Uint8Array[] = [];
  let failure: Error | null = null;

  async function* produce(): AsyncGenerator<Uint8Array> {
    // fflate is loaded with the first zip, not with the node (~20 ms of its start-up).
    const { Zip, ZipPassThrough } = await import("fflate");
    const zip = new Zip((err, chunk) => {
      if (err) failure = err;
      else queue.push(chunk);
    });
    const dirEntry = new ZipPassThrough(root);
    zip.add(dirEntry);
    dirEntry.push(new Uint8Array(0), true);
    for (const e of entries) {
      const part = new ZipPassThrough(nameOf(e));
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

  let sent = 0;
  function* flush(): Generator<Uint8Array> {
    if (failure) throw failure;
    while (queue.length) {
      const chunk = queue.shift()!;
      sent += chunk.length;
      // A file whose bytes are not what the index says (changed on disk behind the node's back):
      // the download fails rather than end as a zip of the wrong length.
      if (sent > length) throw new Error(`the zip grew past its announced ${length} bytes`);
      yield chunk;
    }
  }

  const it = produce();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await it.next();
      if (!done) return controller.enqueue(value);
      if (sent !== length) throw new Error(`the zip ended at ${sent} of its announced ${length} bytes`);
      controller.close();
    },
    async cancel() {
      await it.return(undefined);
    },
  });
  return { body, length };
}
