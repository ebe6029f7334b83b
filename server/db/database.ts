// Opens the node's SQLite database (bun:sqlite, WAL) and offers the one transaction helper.
import { Database } from "bun:sqlite";
import { chmodSync, closeSync, existsSync, openSync } from "node:fs";
import { join } from "node:path";

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
  return db;
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
