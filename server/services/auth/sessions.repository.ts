// SQL for sessions: looked up by token hash, listed and revoked by public id.
import type { Database } from "../../db/database.ts";
import type { Role } from "../../principal.ts";

export interface SessionRow {
  id: string;
  token_hash: string;
  address: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  user_agent: string | null;
  ip: string | null;
  revoked_at: number | null;
}

export type LiveSession = SessionRow & { role: Role };

export class SessionsRepository {
  constructor(private readonly db: Database) {}

  insert(row: Omit<SessionRow, "revoked_at">): void {
    this.db
      .query("INSERT INTO sessions (id, token_hash, address, created_at, last_seen_at, expires_at, user_agent, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .run(row.id, row.token_hash, row.address, row.created_at, row.last_seen_at, row.expires_at, row.user_agent, row.ip);
  }

  /** The session with the user's current role, if it is neither revoked nor expired (absolute or idle). */
  findLive(tokenHash: string, now: number, idleMs: number): LiveSession | null {
    return this.db
      .query<LiveSession, [string, number, number]>(
        `SELECT s.*, u.role FROM sessions s JOIN users u ON u.address = s.address
         WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND s.last_seen_at > ?`,
      )
      .get(tokenHash, now, now - idleMs);
  }

  isLive(id: string, now: number, idleMs: number): boolean {
    return (
      this.db.query("SELECT 1 FROM sessions s JOIN users u ON u.address = s.address WHERE s.id = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND s.last_seen_at > ?").get(id, now, now - idleMs) !==
      null
    );
  }

  touch(id: string, now: number): void {
    this.db.query("UPDATE sessions SET last_seen_at = ? WHERE id = ?").run(now, id);
  }

  get(id: string): SessionRow | null {
    return this.db.query<SessionRow, [string]>("SELECT * FROM sessions WHERE id = ?").get(id);
  }

  listLive(address: string, now: number, idleMs: number): SessionRow[] {
    return this.db
      .query<SessionRow, [string, number, number]>("SELECT * FROM sessions WHERE address = ? AND revoked_at IS NULL AND expires_at > ? AND last_seen_at > ? ORDER BY last_seen_at DESC")
      .all(address, now, now - idleMs);
  }

  revoke(id: string, now: number): boolean {
    return this.db.query("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(now, id).changes === 1;
  }

  /** Forget sessions that ended long ago. */
  prune(before: number): number {
    return this.db.query("DELETE FROM sessions WHERE expires_at < ? OR (revoked_at IS NOT NULL AND revoked_at < ?)").run(before, before).changes;
  }
}
