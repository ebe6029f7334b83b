// A function's Deno KV store: one SQLite file per function (functions/<id>/kv.sqlite), holding keys
// as the ordered bytes workers/kv-keys.ts makes and values as the function's process serialized
// them ("v8") or as unsigned 64-bit integers ("u64", which sum/min/max work on). Every write is an
// atomic operation — checks of versionstamps, then mutations, in one transaction under one new
// versionstamp (20 hex digits, increasing) — and entries may expire. The file's size is capped.
import { Database } from "bun:sqlite";
import { fail } from "../../errors.ts";

export type KvValue = { kind: "v8"; bytes: Uint8Array } | { kind: "u64"; value: bigint };

export interface KvEntry {
  key: Uint8Array;
  value: KvValue;
  versionstamp: string;
}

export type KvMutation = { type: "set"; key: Uint8Array; value: KvValue; expireIn?: number } | { type: "delete"; key: Uint8Array } | { type: "sum" | "min" | "max"; key: Uint8Array; value: bigint };

export interface KvCheck {
  key: Uint8Array;
  /** null: the key must not exist. */
  versionstamp: string | null;
}

export const KV_LIMITS = {
  keyBytes: 2048,
  valueBytes: 65536,
  checks: 100,
  mutations: 1000,
  listLimit: 1000,
  /** The store's file, in bytes. */
  storeBytes: 256 * 1024 * 1024,
};

const U64_MAX = (1n << 64n) - 1n;
/** Not expired at the time bound after the key (a parameter, so that each statement is prepared once). */
const LIVE = "(expires_at IS NULL OR expires_at > ?)";
const PAGE = 4096;

interface Row {
  key: Uint8Array;
  kind: "v8" | "u64";
  value: Uint8Array;
  version: number;
}

const stamp = (version: number) => version.toString(16).padStart(20, "0");
const u64Bytes = (v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v);
  return b;
};
const toValue = (r: Row): KvValue => (r.kind === "u64" ? { kind: "u64", value: new DataView(r.value.buffer, r.value.byteOffset, 8).getBigUint64(0) } : { kind: "v8", bytes: r.value });

export class FunctionKv {
  private readonly db: Database;

  constructor(path: string) {
    this.db = new Database(path, { create: true, strict: true });
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    this.db.exec(`PRAGMA page_size = ${PAGE}; PRAGMA max_page_count = ${Math.floor(KV_LIMITS.storeBytes / PAGE)};`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS kv (key BLOB PRIMARY KEY, kind TEXT NOT NULL, value BLOB NOT NULL, version INTEGER NOT NULL, expires_at INTEGER) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
      INSERT OR IGNORE INTO meta (id, version) VALUES (1, 0);`);
  }

  close(): void {
    this.db.close();
  }

  get(keys: Uint8Array[]): (KvEntry | null)[] {
    const now = Date.now();
    const q = this.db.query<Row, [Uint8Array, number]>(`SELECT key, kind, value, version FROM kv WHERE key = ? AND ${LIVE}`);
    return keys.map((k) => {
      const r = q.get(k, now);
      return r ? { key: r.key, value: toValue(r), versionstamp: stamp(r.version) } : null;
    });
  }

  /** Entries with start ≤ key < end, in key order (or reversed), at most `limit`. */
  list(start: Uint8Array, end: Uint8Array, limit: number, reverse: boolean): KvEntry[] {
    const rows = this.db
      .query<Row, [Uint8Array, Uint8Array, number, number]>(`SELECT key, kind, value, version FROM kv WHERE key >= ? AND key < ? AND ${LIVE} ORDER BY key ${reverse ? "DESC" : "ASC"} LIMIT ?`)
      .all(start, end, Date.now(), Math.min(limit, KV_LIMITS.listLimit));
    return rows.map((r) => ({ key: r.key, value: toValue(r), versionstamp: stamp(r.version) }));
  }

  /** Checks, then mutations, all or nothing: the new versionstamp, or null when a check failed. */
  atomic(checks: KvCheck[], mutations: KvMutation[]): string | null {
    if (checks.length > KV_LIMITS.checks) throw fail("invalid_request", `An atomic operation has at most ${KV_LIMITS.checks} checks`);
    if (mutations.length > KV_LIMITS.mutations) throw fail("invalid_request", `An atomic operation has at most ${KV_LIMITS.mutations} mutations`);
    for (const m of [...checks, ...mutations]) if (m.key.length === 0 || m.key.length > KV_LIMITS.keyBytes) throw fail("invalid_request", `A key has 1 to ${KV_LIMITS.keyBytes} bytes`);
    for (const m of mutations)
      if (m.type === "set" && m.value.kind === "v8" && m.value.bytes.length > KV_LIMITS.valueBytes) throw fail("invalid_request", `A value has at most ${KV_LIMITS.valueBytes} bytes`);
    const now = Date.now();
    try {
      return this.db.transaction(() => {
        const current = this.db.query<{ version: number }, [Uint8Array, number]>(`SELECT version FROM kv WHERE key = ? AND ${LIVE}`);
        for (const c of checks) {
          const found = current.get(c.key, now);
          if ((found ? stamp(found.version) : null) !== c.versionstamp) return null;
        }
        const version = this.db.query<{ version: number }, []>("UPDATE meta SET version = version + 1 WHERE id = 1 RETURNING version").get()!.version;
        const put = this.db.query(
          "INSERT INTO kv (key, kind, value, version, expires_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, value = excluded.value, version = excluded.version, expires_at = excluded.expires_at",
        );
        const read = this.db.query<Row, [Uint8Array, number]>(`SELECT key, kind, value, version FROM kv WHERE key = ? AND ${LIVE}`);
        for (const m of mutations) {
          if (m.type === "delete") {
            this.db.query("DELETE FROM kv WHERE key = ?").run(m.key);
            continue;
          }
          if (m.type === "set") {
            const bytes = m.value.kind === "u64" ? u64Bytes(m.value.value) : m.value.bytes;
            put.run(m.key, m.value.kind, bytes, version, m.expireIn ? now + m.expireIn : null);
            continue;
          }
          if (m.value < 0n || m.value > U64_MAX) throw new RangeError("A Deno.KvU64 is between 0 and 2^64 - 1");
          const existing = read.get(m.key, now);
          if (existing && existing.kind !== "u64") throw new TypeError(`${m.type} works on a Deno.KvU64 value; this key holds another kind of value`);
          const old = existing ? toValue(existing) : null;
          const before = old?.kind === "u64" ? old.value : null;
          const next = before === null ? m.value : m.type === "sum" ? (before + m.value) & U64_MAX : m.type === "min" ? (before < m.value ? before : m.value) : before > m.value ? before : m.value;
          put.run(m.key, "u64", u64Bytes(next), version, null);
        }
        return stamp(version);
      })();
    } catch (err) {
      if (err instanceof Error && /full|SQLITE_FULL/i.test(err.message)) throw fail("function_too_large", `The function's key-value store is full (${KV_LIMITS.storeBytes} bytes)`);
      if (err instanceof TypeError || err instanceof RangeError) throw fail("invalid_request", err.message);
      throw err;
    }
  }

  /** Remove expired entries (they are already invisible to reads). */
  sweep(): number {
    return this.db.query("DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ?").run(Date.now()).changes;
  }
}
