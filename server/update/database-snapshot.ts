// The database as it was before an update: copied with SQLite's own VACUUM INTO (a consistent copy
// whatever the WAL holds) into a temp file, flushed and renamed into place; put back by copying it
// over the node's database the same way. Both run while no node has the database open.
import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, openSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { appliedVersions } from "../db/migrate.ts";
import { durable } from "../fs/durable-steps.ts";

function flushFile(path: string): void {
  const fd = openSync(path, "r");
  durable.syncFd(fd, path);
  durable.closeFd(fd, path);
}

/** Copy the database at `dbFile` to `to` (replacing it), durably. */
export function snapshotDatabase(dbFile: string, to: string): void {
  const tmp = `${to}.tmp`;
  rmSync(tmp, { force: true });
  // Read-write: a WAL database opened read-only needs its -shm file, which a clean stop removed.
  const db = new Database(dbFile, { readwrite: true });
  try {
    db.query("VACUUM INTO ?").run(tmp);
  } finally {
    db.close(false);
  }
  flushFile(tmp);
  durable.rename(tmp, to);
  durable.fsyncDir(dirname(to));
}

/** Put `snapshot` back as the database at `dbFile` (the snapshot stays), durably. */
export function restoreDatabase(snapshot: string, dbFile: string): void {
  if (!existsSync(snapshot)) throw new Error(`the database snapshot ${snapshot} is missing`);
  const tmp = `${dbFile}.restore.tmp`;
  copyFileSync(snapshot, tmp);
  flushFile(tmp);
  // The WAL and index belong to the database being replaced: they must not be applied to the copy.
  for (const f of [`${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
  durable.rename(tmp, dbFile);
  durable.fsyncDir(dirname(dbFile));
}

/** The schema versions a database file has applied (to tell whether an update changed the schema). */
export function schemaVersions(dbFile: string): number[] {
  const db = new Database(dbFile, { readwrite: true });
  try {
    return appliedVersions(db);
  } finally {
    db.close(false);
  }
}
