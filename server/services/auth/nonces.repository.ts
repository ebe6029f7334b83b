// SQL for sign-in challenges: each nonce, the exact message issued, and whether it was used.
import type { Database } from "../../db/database.ts";

export interface NonceRow {
  nonce: string;
  address: string;
  message: string;
  domain: string;
  issued_at: number;
  expires_at: number;
  used_at: number | null;
}

export class NoncesRepository {
  constructor(private readonly db: Database) {}

  insert(row: Omit<NonceRow, "used_at">): void {
    this.db
      .query("INSERT INTO auth_nonces (nonce, address, message, domain, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)")
      .run(row.nonce, row.address, row.message, row.domain, row.issued_at, row.expires_at);
  }

  /**
   * Mark the nonce used and return its record, atomically: of two racing logins with the same
   * nonce, exactly one gets the row. null when unknown or already used.
   */
  consume(nonce: string, now: number): NonceRow | null {
    return this.db.query<NonceRow, [number, string]>("UPDATE auth_nonces SET used_at = ? WHERE nonce = ? AND used_at IS NULL RETURNING *").get(now, nonce);
  }

  /** Drop challenges that can no longer be used (expired a while ago). */
  prune(before: number): number {
    return this.db.query("DELETE FROM auth_nonces WHERE expires_at < ?").run(before).changes;
  }
}
