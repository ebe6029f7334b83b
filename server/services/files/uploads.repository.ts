// SQL for resumable upload sessions.
import type { Database } from "../../db/database.ts";

export interface UploadRow {
  id: string;
  owner: string;
  path: string;
  size: number;
  received: number;
  overwrite: 0 | 1;
  dedupe: 0 | 1;
  create_parents: 0 | 1;
  created_at: number;
  expires_at: number;
}

export class UploadsRepository {
  constructor(private readonly db: Database) {}

  insert(row: UploadRow): void {
    this.db
      .query(
        "INSERT INTO uploads (id, owner, path, size, received, overwrite, dedupe, create_parents, created_at, expires_at) VALUES ($id, $owner, $path, $size, $received, $overwrite, $dedupe, $create_parents, $created_at, $expires_at)",
      )
      .run(row as never);
  }

  get(owner: string, id: string): UploadRow | null {
    return this.db.query<UploadRow, [string, string]>("SELECT * FROM uploads WHERE owner = ? AND id = ?").get(owner, id);
  }

  setReceived(id: string, received: number): void {
    this.db.query("UPDATE uploads SET received = ? WHERE id = ?").run(received, id);
  }

  delete(id: string): void {
    this.db.query("DELETE FROM uploads WHERE id = ?").run(id);
  }

  /** Bytes promised to unfinished uploads, which count against the quota. */
  reserved(owner: string, now = Date.now()): number {
    return this.db.query<{ n: number | null }, [string, number]>("SELECT sum(size) AS n FROM uploads WHERE owner = ? AND expires_at > ?").get(owner, now)!.n ?? 0;
  }

  openCount(owner: string, now: number): number {
    return this.db.query<{ n: number }, [string, number]>("SELECT count(*) AS n FROM uploads WHERE owner = ? AND expires_at > ?").get(owner, now)!.n;
  }

  expired(now: number): UploadRow[] {
    return this.db.query<UploadRow, [number]>("SELECT * FROM uploads WHERE expires_at <= ?").all(now);
  }

  all(): UploadRow[] {
    return this.db.query<UploadRow, []>("SELECT * FROM uploads").all();
  }
}
