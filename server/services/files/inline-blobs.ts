// Small files' bytes inside the database (the inline_blobs table) instead of a file each. They are
// written in the transaction that indexes the file, so one flush of the WAL makes both durable (a
// file of its own needs its bytes, its folder and the WAL flushed, one after the other), and a crash
// can never leave the row without its bytes or the bytes without their row. Every query names the
// wallet that owns the bytes.
import { randomBytes } from "node:crypto";
import type { Database } from "../../db/database.ts";

/** Files up to this size are kept inline (a few SQLite pages each; larger ones get a file). */
export const INLINE_MAX_BYTES = 64 * 1024;

/** An inline blob's name: "i" and 31 hex digits (a blob file's name is 32 hex digits, never an "i"). */
export const isInlineBlob = (blob: string): boolean => blob.charCodeAt(0) === 0x69;

export interface InlineBlobRow {
  blob: string;
  owner: string;
  size: number;
}

export class InlineBlobs {
  constructor(private readonly db: Database) {}

  /** A new inline name: 124 random bits. */
  newName(): string {
    return `i${randomBytes(16).toString("hex").slice(1)}`;
  }

  /** Store `bytes` as a new inline blob of `owner` (call inside the transaction that indexes it). */
  put(owner: string, bytes: Uint8Array): string {
    const blob = this.newName();
    this.keep(owner, blob, bytes);
    return blob;
  }

  /** Store `bytes` under a name the index already gives them (a restore putting them back). */
  keep(owner: string, blob: string, bytes: Uint8Array): void {
    this.db.query("INSERT INTO inline_blobs (blob, owner, bytes) VALUES (?, ?, ?)").run(blob, owner, bytes);
  }

  /** The bytes of `owner`'s inline blob, or null if there is none. */
  bytes(owner: string, blob: string): Uint8Array | null {
    return this.db.query<{ bytes: Uint8Array }, [string, string]>("SELECT bytes FROM inline_blobs WHERE blob = ? AND owner = ?").get(blob, owner)?.bytes ?? null;
  }

  /** A new inline blob of `toOwner` with the bytes of `owner`'s `blob` (inside a transaction). */
  copy(owner: string, blob: string, toOwner: string): string {
    const copy = this.newName();
    const { changes } = this.db.query("INSERT INTO inline_blobs (blob, owner, bytes) SELECT ?, ?, bytes FROM inline_blobs WHERE blob = ? AND owner = ?").run(copy, toOwner, blob, owner);
    if (changes !== 1) throw new Error(`inline blob ${blob} of ${owner} is missing`);
    return copy;
  }

  remove(owner: string, blob: string): void {
    this.db.query("DELETE FROM inline_blobs WHERE blob = ? AND owner = ?").run(blob, owner);
  }

  /** Every inline blob with its size, not its bytes (the storage check). */
  all(): InlineBlobRow[] {
    return this.db.query<InlineBlobRow, []>("SELECT blob, owner, length(bytes) AS size FROM inline_blobs").all();
  }
}
