// Helia's datastore (pin records) in SQLite: one file, WAL, no fsync per record. datastore-fs wrote a
// temp file and renamed it for every record, which was half the cost of a small upload.
import { Database } from "bun:sqlite";
import { BaseDatastore } from "datastore-core";
import { Key, type KeyQuery, type Pair, type Query } from "interface-datastore";

function notFound(key: Key): Error {
  return Object.assign(new Error(`not found: ${key}`), { name: "NotFoundError" });
}

export class SqliteDatastore extends BaseDatastore {
  private readonly db: Database;

  constructor(path: string) {
    super();
    this.db = new Database(path, { create: true, strict: true });
    this.db.run("PRAGMA journal_mode = WAL");
    this.db.run("PRAGMA synchronous = NORMAL");
    this.db.run("CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID");
  }

  async open(): Promise<void> {}

  async close(): Promise<void> {
    this.db.close();
  }

  override put(key: Key, val: Uint8Array): Key {
    this.db.query("INSERT INTO records (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(key.toString(), val);
    return key;
  }

  override get(key: Key): Uint8Array {
    const row = this.db.query<{ value: Uint8Array }, [string]>("SELECT value FROM records WHERE key = ?").get(key.toString());
    if (!row) throw notFound(key);
    return new Uint8Array(row.value);
  }

  override has(key: Key): boolean {
    return this.db.query("SELECT 1 FROM records WHERE key = ?").get(key.toString()) !== null;
  }

  override delete(key: Key): void {
    this.db.query("DELETE FROM records WHERE key = ?").run(key.toString());
  }

  /** Keys under a prefix, as an index range scan (BaseDatastore applies filters, order, offset, limit). */
  private range(prefix: string | undefined): { lo: string; hi: string } {
    const p = prefix ?? "";
    return { lo: p, hi: p + "\uffff" };
  }

  override *_all(q: Query): Generator<Pair> {
    const { lo, hi } = this.range(q.prefix);
    for (const row of this.db.query<{ key: string; value: Uint8Array }, [string, string]>("SELECT key, value FROM records WHERE key >= ? AND key < ? ORDER BY key").iterate(lo, hi)) {
      yield { key: new Key(row.key), value: new Uint8Array(row.value) };
    }
  }

  override *_allKeys(q: KeyQuery): Generator<Key> {
    const { lo, hi } = this.range(q.prefix);
    for (const row of this.db.query<{ key: string }, [string, string]>("SELECT key FROM records WHERE key >= ? AND key < ? ORDER BY key").iterate(lo, hi)) {
      yield new Key(row.key);
    }
  }
}
