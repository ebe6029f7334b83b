// Opens the node's SQLite database (bun:sqlite, WAL) and offers the one transaction helper.
import { Database } from "bun:sqlite";
import { chmodSync, closeSync, existsSync, openSync } from "node:fs";
import { dirname, join } from "node:path";
import { durable } from "../fs/durable-steps.ts";
import { SharedFlush } from "../fs/shared-flush.ts";

export type { Database };

/** The node's database in its data directory. */
export const databaseFile = (dataDir: string) => join(dataDir, "pc2.db");

/**
 * Open (creating if needed) with the file private to the node's user: it holds sessions' hashes,
 * sealed keys and everyone's file index. SQLite creates -wal and -shm with the database file's
 * mode, so making the file 0600 first covers all three; looser existing files are tightened.
 */
export function openDatabase(path: string): Database {
  closeSync(openSync(path, "a", 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
  const db = new Database(path, { create: true, strict: true });
  db.run("PRAGMA journal_mode = WAL");
  // NORMAL is durable across application crashes in WAL mode; only a power cut may lose the last commits.
  db.run("PRAGMA synchronous = NORMAL");
  db.run("PRAGMA foreign_keys = ON");
  db.run("PRAGMA busy_timeout = 5000");
  // The WAL's name on the disk: commitsOnDisk flushes its bytes, not the folder that names it. (A new
  // database has no WAL until its first write: rewriting the version, unchanged, makes it.)
  if (!existsSync(`${path}-wal`)) db.run(`PRAGMA user_version = ${(db.query("PRAGMA user_version").get() as { user_version: number }).user_version}`);
  durable.fsyncDir(dirname(path));
  return db;
}

/**
 * The commits made so far, on the disk. With `synchronous = NORMAL` a commit is safe from a crash of
 * the node at once, but from a power cut only once the WAL is next flushed (SQLite does so at a
 * checkpoint). An answer that promises the user's data is kept (an upload) awaits this first: one
 * fsync of the WAL on the node's fsync threads, shared by every commit made before it began (group
 * commit), so that a commit itself never waits on the disk. (No WAL file — checkpointed away at a
 * close — means the database file holds every commit, flushed by SQLite's checkpoint.)
 */
export function commitsOnDisk(dbFile: string): () => Promise<void> {
  const wal = `${dbFile}-wal`;
  const flushes = new SharedFlush(async (path) => void (await durable.syncFileAsync(path)));
  return () => flushes.flushed(wal);
}

/** Run fn inside one IMMEDIATE transaction: all of it commits, or none of it. */
export function transaction<T>(db: Database, fn: () => T): T {
  return db.transaction(fn).immediate();
}

/** Checkpoint the WAL into the main file and close; after this the -wal file is gone. */
export function closeDatabase(db: Database): void {
  try {
    db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  } finally {
    db.close(false);
  }
}
