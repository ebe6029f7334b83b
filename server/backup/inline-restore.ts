// A backup carries small files' bytes as objects of their own (snapshot.ts), under the path a blob
// file would have. A restore puts them back where the node keeps them — its database — in one
// transaction, before the staging folder becomes a data dir, then removes their files.
import { readFileSync, rmdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { durable } from "../fs/durable-steps.ts";
import { closeDatabase, databaseFile, openDatabase, transaction } from "../db/database.ts";
import { InlineBlobs, isInlineBlob } from "../services/files/inline-blobs.ts";

/** files/<owner>/<shard>/<blob>, for an inline blob's name. */
const INLINE_OBJECT = /^files\/([^/]+)\/[^/]+\/([^/]+)$/;

/** Move the inline blobs among `paths` (restored under `dataDir`) into its database; how many. */
export function restoreInlineBlobs(dataDir: string, paths: readonly string[]): number {
  const inline = paths.flatMap((path) => {
    const m = INLINE_OBJECT.exec(path);
    return m && isInlineBlob(m[2]!) ? [{ path, owner: m[1]!, blob: m[2]! }] : [];
  });
  if (inline.length === 0) return 0;
  const db = openDatabase(databaseFile(dataDir));
  try {
    const rows = new InlineBlobs(db);
    transaction(db, () => {
      for (const b of inline) rows.keep(b.owner, b.blob, readFileSync(join(dataDir, b.path)));
    });
  } finally {
    // Checkpointed into the database file, flushed, and its WAL gone: the rows are on the disk.
    closeDatabase(db);
  }
  for (const b of inline) rmSync(join(dataDir, b.path), { force: true });
  // Their folders held inline names only (a blob file's shard is two hex digits): gone too, flushed.
  const shards = new Set(inline.map((b) => dirname(join(dataDir, b.path))));
  for (const dir of shards) rmdirSync(dir);
  for (const owner of new Set([...shards].map((d) => dirname(d)))) durable.fsyncDir(owner);
  return inline.length;
}
