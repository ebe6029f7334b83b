// SQL for the file index. Subtree queries use range bounds on path (index-friendly), never LIKE.
import type { Database } from "../../db/database.ts";
import type { FsEntryRow } from "./fs-entry.ts";

/** A pin owed for a blob: its file is indexed under `cid`, not yet imported into IPFS. */
export interface OwedPin {
  owner: string;
  blob: string;
  cid: string;
}

export type SortKey = "name" | "modified" | "type" | "size";

/** How a folder's entries are listed: by `sort` (then uid, so pages never overlap), folders first if asked, a page of them. */
export interface ChildOrder {
  sort?: SortKey;
  desc?: boolean;
  foldersFirst?: boolean;
  /** -1: all */
  limit?: number;
  offset?: number;
}

const SORT_SQL: Record<SortKey, string> = {
  name: "name COLLATE NOCASE",
  modified: "modified",
  type: "is_dir DESC, mime",
  size: "size",
};

/**
 * Bounds of every path strictly below `dir`: `path > lo AND path < hi` ("0" sorts right after "/").
 * The lower bound is exclusive so that below the root ("/") the root itself is not included; below
 * any other folder "dir/" is never a path itself, so it changes nothing there.
 */
function below(dir: string): [string, string] {
  const prefix = dir === "/" ? "/" : dir + "/";
  return [prefix, prefix.slice(0, -1) + "0"];
}

export class FilesRepository {
  constructor(private readonly db: Database) {}

  byPath(owner: string, path: string): FsEntryRow | null {
    return this.db.query<FsEntryRow, [string, string]>("SELECT * FROM fs_entries WHERE owner = ? AND path = ?").get(owner, path);
  }

  byUid(owner: string, uid: string): FsEntryRow | null {
    return this.db.query<FsEntryRow, [string, string]>("SELECT * FROM fs_entries WHERE owner = ? AND uid = ?").get(owner, uid);
  }

  children(owner: string, parentUid: string, order: ChildOrder = {}): FsEntryRow[] {
    const { sort = "name", desc = false, foldersFirst = false, limit = -1, offset = 0 } = order;
    const folders = foldersFirst ? "is_dir DESC, " : "";
    return this.db
      .query<FsEntryRow, [string, string, number, number]>(
        `SELECT * FROM fs_entries WHERE owner = ? AND parent_uid = ? ORDER BY ${folders}${SORT_SQL[sort]} ${desc ? "DESC" : "ASC"}, uid LIMIT ? OFFSET ?`,
      )
      .all(owner, parentUid, limit, offset);
  }

  countChildren(owner: string, parentUid: string): number {
    return this.db.query<{ n: number }, [string, string]>("SELECT count(*) AS n FROM fs_entries WHERE owner = ? AND parent_uid = ?").get(owner, parentUid)!.n;
  }

  /** Every entry strictly below `dir`, parents before children. */
  descendants(owner: string, dir: string): FsEntryRow[] {
    const [lo, hi] = below(dir);
    return this.db.query<FsEntryRow, [string, string, string]>("SELECT * FROM fs_entries WHERE owner = ? AND path > ? AND path < ? ORDER BY path").all(owner, lo, hi);
  }

  insert(e: FsEntryRow): void {
    this.db
      .query(
        `INSERT INTO fs_entries (uid, owner, path, parent_uid, name, is_dir, size, mime, cid, blob, immutable, is_public, metadata, created, modified, accessed)
         VALUES ($uid, $owner, $path, $parent_uid, $name, $is_dir, $size, $mime, $cid, $blob, $immutable, $is_public, $metadata, $created, $modified, $accessed)`,
      )
      .run(e as never);
  }

  /** New content for an existing file (overwrite). */
  replaceContent(uid: string, size: number, mime: string, cid: string, blob: string, now: number): void {
    this.db.query("UPDATE fs_entries SET size = ?, mime = ?, cid = ?, blob = ?, modified = ?, accessed = ? WHERE uid = ?").run(size, mime, cid, blob, now, now, uid);
  }

  /** Move/rename an entry and, for a folder, rewrite every descendant's path in the same statement set. */
  relocate(owner: string, uid: string, from: string, to: string, parentUid: string, name: string, metadata: string | null, now: number): void {
    const [lo, hi] = below(from);
    this.db.query("UPDATE fs_entries SET path = ?, parent_uid = ?, name = ?, metadata = ?, modified = ? WHERE uid = ?").run(to, parentUid, name, metadata, now, uid);
    // The prefix is cut in SQLite's own units (characters), never JavaScript's UTF-16 units: a path
    // with astral characters (emoji) is longer in JS than in SQLite.
    this.db.query("UPDATE fs_entries SET path = ?1 || substr(path, length(?2) + 1) WHERE owner = ?3 AND path > ?4 AND path < ?5").run(to, from, owner, lo, hi);
  }

  setPublic(uid: string, isPublic: boolean): void {
    this.db.query("UPDATE fs_entries SET is_public = ? WHERE uid = ?").run(isPublic ? 1 : 0, uid);
  }

  /** Stop sharing an entry and everything below it (it went to the Trash). */
  unpublishTree(owner: string, path: string): void {
    const [lo, hi] = below(path);
    this.db.query("UPDATE fs_entries SET is_public = 0 WHERE owner = ? AND is_public = 1 AND (path = ? OR (path > ? AND path < ?))").run(owner, path, lo, hi);
  }

  /** Delete an entry and everything below it; returns the removed rows. */
  deleteTree(owner: string, entry: FsEntryRow): FsEntryRow[] {
    const removed = entry.is_dir ? this.descendants(owner, entry.path) : [];
    const [lo, hi] = below(entry.path);
    if (entry.is_dir) this.db.query("DELETE FROM fs_entries WHERE owner = ? AND path > ? AND path < ?").run(owner, lo, hi);
    this.db.query("DELETE FROM fs_entries WHERE uid = ?").run(entry.uid);
    return [entry, ...removed];
  }

  /** Bytes stored by a wallet (every file, Trash included): kept by the database's triggers (migration 17). */
  usage(owner: string): number {
    return this.db.query<{ bytes: number }, [string]>("SELECT bytes FROM fs_usage WHERE owner = ?").get(owner)?.bytes ?? 0;
  }

  subtreeSize(owner: string, dir: string): number {
    const [lo, hi] = below(dir);
    return this.db.query<{ n: number | null }, [string, string, string]>("SELECT sum(size) AS n FROM fs_entries WHERE owner = ? AND path > ? AND path < ?").get(owner, lo, hi)!.n ?? 0;
  }

  /** Names containing `text` (case-insensitive), outside the Trash. */
  searchByName(owner: string, text: string, limit: number): FsEntryRow[] {
    const escaped = text.replace(/[\\%_]/g, (c) => "\\" + c);
    return this.db
      .query<FsEntryRow, [string, string, number]>(
        "SELECT * FROM fs_entries WHERE owner = ? AND name LIKE '%' || ? || '%' ESCAPE '\\' AND path <> '/Trash' AND path NOT LIKE '/Trash/%' ORDER BY name COLLATE NOCASE LIMIT ?",
      )
      .all(owner, escaped, limit);
  }

  /** How many different CIDs the index holds (anyone's). */
  distinctCids(): number {
    return this.db.query<{ n: number }, []>("SELECT count(DISTINCT cid) AS n FROM fs_entries WHERE cid IS NOT NULL").get()!.n;
  }

  // ---- IPFS pins owed (owed-pins.ts): made after the answer for files that fit one block ----

  owePin(owner: string, blob: string, cid: string): void {
    this.db.query("INSERT OR REPLACE INTO owed_pins (owner, blob, cid, owed_at) VALUES (?, ?, ?, ?)").run(owner, blob, cid, Date.now());
  }

  /** The oldest owed pins first; all of them without a limit. */
  owedPins(limit = -1): OwedPin[] {
    return this.db.query<OwedPin, [number]>("SELECT owner, blob, cid FROM owed_pins ORDER BY owed_at LIMIT ?").all(limit);
  }

  owedPinCount(): number {
    return this.db.query<{ n: number }, []>("SELECT count(*) AS n FROM owed_pins").get()!.n;
  }

  pinPaid(owner: string, blob: string): void {
    this.db.query("DELETE FROM owed_pins WHERE owner = ? AND blob = ?").run(owner, blob);
  }

  /** The CID of the file(s) whose bytes are `blob` (an owed pin's import named them otherwise). */
  setCidOfBlob(owner: string, blob: string, cid: string): void {
    this.db.query("UPDATE fs_entries SET cid = ? WHERE owner = ? AND blob = ?").run(cid, owner, blob);
  }

  /** Blobs of files with this CID (any wallet's: the bytes are the CID's own), a few at most. */
  blobsWithCid(cid: string, limit = 8): { owner: string; blob: string }[] {
    return this.db.query<{ owner: string; blob: string }, [string, number]>("SELECT owner, blob FROM fs_entries WHERE cid = ? AND blob IS NOT NULL LIMIT ?").all(cid, limit);
  }

  cidInUse(cid: string): boolean {
    return this.db.query("SELECT 1 FROM fs_entries WHERE cid = ? LIMIT 1").get(cid) !== null;
  }

  /** A published (or own) file with this CID. */
  byCid(cid: string): FsEntryRow[] {
    return this.db.query<FsEntryRow, [string]>("SELECT * FROM fs_entries WHERE cid = ? AND is_dir = 0").all(cid);
  }

  allFiles(): FsEntryRow[] {
    return this.db.query<FsEntryRow, []>("SELECT * FROM fs_entries WHERE is_dir = 0").all();
  }

  quota(owner: string): number | null {
    return this.db.query<{ bytes: number }, [string]>("SELECT bytes FROM quotas WHERE owner = ?").get(owner)?.bytes ?? null;
  }

  setQuota(owner: string, bytes: number | null, now: number): void {
    if (bytes === null) this.db.query("DELETE FROM quotas WHERE owner = ?").run(owner);
    else
      this.db.query("INSERT INTO quotas (owner, bytes, updated_at) VALUES (?, ?, ?) ON CONFLICT(owner) DO UPDATE SET bytes = excluded.bytes, updated_at = excluded.updated_at").run(owner, bytes, now);
  }
}
