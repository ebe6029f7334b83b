// Opens the node's SQLite database (bun:sqlite, WAL) and offers the one transaction helper.
import { Database } from "bun:sqlite";

export type { Database };

export function openDatabase(path: string): Database {
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
