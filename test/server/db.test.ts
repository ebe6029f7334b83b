import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { chmodSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { closeDatabase, commitsOnDisk, openDatabase, transaction } from "../../server/db/database.ts";
import { durable } from "../../server/fs/durable-steps.ts";
import { appliedVersions, migrate, MigrationError } from "../../server/db/migrate.ts";
import { MIGRATIONS } from "../../server/db/migrations/index.ts";
import { makeTempDir } from "../helpers/temp-dir.ts";

function withDb(fn: (path: string) => void) {
  const dir = makeTempDir();
  try {
    fn(join(dir.path, "pc2.db"));
  } finally {
    dir.remove();
  }
}

describe("database", () => {
  test("a real file in WAL mode with foreign keys on", () =>
    withDb((path) => {
      const db = openDatabase(path);
      expect(db.query<{ journal_mode: string }, []>("PRAGMA journal_mode").get()!.journal_mode).toBe("wal");
      expect(db.query<{ foreign_keys: number }, []>("PRAGMA foreign_keys").get()!.foreign_keys).toBe(1);
      db.run("CREATE TABLE t (x INTEGER)");
      db.run("INSERT INTO t VALUES (1)");
      expect(existsSync(path + "-wal")).toBe(true);
      closeDatabase(db);
      expect(existsSync(path + "-wal")).toBe(false);
    }));

  test("named parameters bind from plain keys, and a missing one is an error, not a NULL (strict mode)", () =>
    withDb((path) => {
      const db = openDatabase(path);
      db.run("CREATE TABLE t (x INTEGER, y TEXT)");
      const insert = db.query("INSERT INTO t (x, y) VALUES ($x, $y)");
      insert.run({ x: 7, y: "seven" } as never);
      expect(() => insert.run({ x: 8 } as never)).toThrow('Missing parameter "y"');
      expect(db.query("SELECT x, y FROM t").all()).toEqual([{ x: 7, y: "seven" }]);
      closeDatabase(db);
    }));

  test("the database, its -wal and -shm are 0600 (new, and tightened when looser)", () =>
    withDb((path) => {
      const mode = (p: string) => statSync(p).mode & 0o777;
      let db = openDatabase(path);
      db.run("CREATE TABLE t (x INTEGER)");
      db.run("INSERT INTO t VALUES (1)");
      expect([mode(path), mode(path + "-wal"), mode(path + "-shm")]).toEqual([0o600, 0o600, 0o600]);
      db.close(false);
      for (const p of [path, path + "-wal", path + "-shm"]) if (existsSync(p)) chmodSync(p, 0o644);
      db = openDatabase(path);
      expect(mode(path)).toBe(0o600);
      closeDatabase(db);
      // With another connection open, the -wal and -shm outlive a close: looser ones are tightened too.
      const other = new Database(path);
      other.run("INSERT INTO t VALUES (2)");
      for (const p of [path, path + "-wal", path + "-shm"]) chmodSync(p, 0o644);
      db = openDatabase(path);
      expect([mode(path), mode(path + "-wal"), mode(path + "-shm")]).toEqual([0o600, 0o600, 0o600]);
      other.close();
      closeDatabase(db);
    }));

  test("opening makes the WAL (a new database too) and flushes the folder that names it", () =>
    withDb((path) => {
      const flushed: string[] = [];
      const fsyncDir = durable.fsyncDir;
      durable.fsyncDir = (dir) => (flushed.push(dir), fsyncDir(dir));
      try {
        const db = openDatabase(path);
        expect(existsSync(path + "-wal")).toBe(true);
        expect(flushed).toEqual([join(path, "..")]);
        closeDatabase(db);
      } finally {
        durable.fsyncDir = fsyncDir;
      }
    }));

  test("commits on the disk: the WAL flushed, one flush shared by the callers waiting together; no WAL, nothing to flush", async () => {
    const dir = makeTempDir();
    const synced: string[] = [];
    const syncFileAsync = durable.syncFileAsync;
    durable.syncFileAsync = async (p) => (synced.push(p), syncFileAsync(p));
    try {
      const path = join(dir.path, "pc2.db");
      const db = openDatabase(path);
      const onDisk = commitsOnDisk(path);
      db.run("CREATE TABLE t (x INTEGER)");
      await onDisk();
      expect(synced).toEqual([path + "-wal"]);
      // Ten commits, each awaiting the disk at once: the first flush, and one shared by the other nine.
      await Promise.all(Array.from({ length: 10 }, (_, i) => (db.run("INSERT INTO t VALUES (?)", [i]), onDisk())));
      expect(synced).toHaveLength(3);
      closeDatabase(db);
      expect(await syncFileAsync(path + "-wal")).toBe(false);
      await onDisk();
    } finally {
      durable.syncFileAsync = syncFileAsync;
      dir.remove();
    }
  });

  test("wallets' usage, from a database that predates its triggers: counted once by the migration, then kept", () =>
    withDb((path) => {
      const db = openDatabase(path);
      migrate(
        db,
        MIGRATIONS.filter((m) => m.version < 17),
      );
      const row = db.prepare("INSERT INTO fs_entries (uid, owner, path, parent_uid, name, is_dir, size, created, modified, accessed) VALUES (?, ?, ?, NULL, ?, ?, ?, 0, 0, 0)");
      row.run("u1", "0xa", "/f1", "f1", 0, 10);
      row.run("u2", "0xa", "/f2", "f2", 0, 32);
      row.run("u3", "0xa", "/d", "d", 1, 999);
      row.run("u4", "0xb", "/f", "f", 0, null);
      expect(
        migrate(
          db,
          MIGRATIONS.filter((m) => m.version <= 17),
        ),
      ).toEqual([17]);
      const usage = () => db.query<{ owner: string; bytes: number }, []>("SELECT owner, bytes FROM fs_usage ORDER BY owner").all();
      expect(usage()).toEqual([
        { owner: "0xa", bytes: 42 },
        { owner: "0xb", bytes: 0 },
      ]);
      row.run("u5", "0xb", "/g", "g", 0, 5);
      expect(usage()).toEqual([
        { owner: "0xa", bytes: 42 },
        { owner: "0xb", bytes: 5 },
      ]);
      closeDatabase(db);
    }));

  test("migrations apply once, in order, and are recorded", () =>
    withDb((path) => {
      const db = openDatabase(path);
      expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(migrate(db)).toEqual([]);
      expect(appliedVersions(db)).toEqual(MIGRATIONS.map((m) => m.version));
      const row = db.query<{ name: string; applied_at: number }, []>("SELECT name, applied_at FROM schema_migrations WHERE version = 1").get()!;
      expect(row.name).toBe("core");
      expect(row.applied_at).toBeGreaterThan(0);
      closeDatabase(db);
    }));

  test("a failing migration leaves nothing behind and is not recorded", () =>
    withDb((path) => {
      const db = openDatabase(path);
      const broken = [...MIGRATIONS, { version: 99, name: "broken", sql: "CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);" }];
      expect(() => migrate(db, broken)).toThrow(new MigrationError("the database migration to schema version 99 (broken) failed: no such table: nowhere"));
      expect(appliedVersions(db)).not.toContain(99);
      expect(db.query("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeNull();
      closeDatabase(db);
    }));

  test("a database from a newer PC2 is refused", () =>
    withDb((path) => {
      const db = openDatabase(path);
      migrate(db, [...MIGRATIONS, { version: 50, name: "future", sql: "CREATE TABLE future (x INTEGER)" }]);
      expect(() => migrate(db)).toThrow(MigrationError);
      closeDatabase(db);
    }));

  test("transaction commits all or nothing", () =>
    withDb((path) => {
      const db = openDatabase(path);
      db.run("CREATE TABLE t (x INTEGER UNIQUE)");
      transaction(db, () => {
        db.run("INSERT INTO t VALUES (1)");
        db.run("INSERT INTO t VALUES (2)");
      });
      expect(() =>
        transaction(db, () => {
          db.run("INSERT INTO t VALUES (3)");
          db.run("INSERT INTO t VALUES (1)");
        }),
      ).toThrow();
      expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM t").get()!.n).toBe(2);
      closeDatabase(db);
    }));
});
