// Where a file's raw leaves lie: one row per (leaf CID, the file's root CID, offset, length). The
// filestore (filestore-blockstore.ts) keeps these instead of a second copy of the bytes. Kept in the
// IPFS repository's own SQLite file beside Helia's pin records, so a crash can lose a recent pin
// and its leaves' rows together, but never keep a pin whose rows are gone (they commit first).
import { Database } from "bun:sqlite";

export interface LeafRef {
  leaf: string;
  offset: number;
  length: number;
}

export interface LeafPlace {
  root: string;
  offset: number;
  length: number;
}

export class LeafRefs {
  private readonly db: Database;

  constructor(path: string) {
    this.db = new Database(path, { create: true, strict: true });
    this.db.run("PRAGMA journal_mode = WAL");
    this.db.run("PRAGMA synchronous = NORMAL");
    this.db.run("PRAGMA busy_timeout = 5000");
    this.db.run("CREATE TABLE IF NOT EXISTS leaf_refs (leaf TEXT NOT NULL, root TEXT NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL, PRIMARY KEY (leaf, root, offset)) WITHOUT ROWID");
    this.db.run("CREATE INDEX IF NOT EXISTS leaf_refs_root ON leaf_refs (root)");
  }

  /** Record where the leaves of the file `root` lie in it (again is harmless). */
  add(root: string, leaves: readonly LeafRef[]): void {
    const insert = this.db.query("INSERT OR IGNORE INTO leaf_refs (leaf, root, offset, length) VALUES (?, ?, ?, ?)");
    this.db.transaction(() => {
      for (const l of leaves) insert.run(l.leaf, root, l.offset, l.length);
    })();
  }

  has(leaf: string): boolean {
    return this.db.query("SELECT 1 FROM leaf_refs WHERE leaf = ? LIMIT 1").get(leaf) !== null;
  }

  /** Every file (by root) that holds this leaf, and where. */
  placesOf(leaf: string): LeafPlace[] {
    return this.db.query<LeafPlace, [string]>("SELECT root, offset, length FROM leaf_refs WHERE leaf = ? ORDER BY root, offset").all(leaf);
  }

  /** Whether any place is recorded for the file `root` (none: imported before places, or never). */
  hasRoot(root: string): boolean {
    return this.db.query("SELECT 1 FROM leaf_refs WHERE root = ? LIMIT 1").get(root) !== null;
  }

  /** The leaves recorded for the file `root` (for tests and checks). */
  leavesOf(root: string): LeafRef[] {
    return this.db.query<LeafRef, [string]>("SELECT leaf, offset, length FROM leaf_refs WHERE root = ? ORDER BY offset").all(root);
  }

  /** Every leaf with a recorded place, a page at a time (rows may be deleted as it goes: garbage collection). */
  *leaves(): Generator<string> {
    const page = this.db.query<{ leaf: string }, [string]>("SELECT DISTINCT leaf FROM leaf_refs WHERE leaf > ? ORDER BY leaf LIMIT 500");
    for (let after = ""; ; ) {
      const rows = page.all(after);
      if (rows.length === 0) return;
      for (const row of rows) yield row.leaf;
      after = rows[rows.length - 1]!.leaf;
    }
  }

  /** The file `root` is no longer pinned: its leaves are not found in it any more. */
  forgetRoot(root: string): void {
    this.db.query("DELETE FROM leaf_refs WHERE root = ?").run(root);
  }

  /** The leaf is collected as garbage: no file holds it for IPFS any more. */
  forgetLeaf(leaf: string): void {
    this.db.query("DELETE FROM leaf_refs WHERE leaf = ?").run(leaf);
  }

  close(): void {
    this.db.close();
  }
}
