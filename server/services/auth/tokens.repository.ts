// SQL for API tokens: stored hashed, scoped, revocable, with last use recorded.
import type { Database } from "../../db/database.ts";
import type { Role } from "../../principal.ts";

export interface TokenRow {
  id: string;
  token_hash: string;
  address: string;
  name: string;
  /** JSON array of scopes. */
  scopes: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

export type LiveToken = TokenRow & { role: Role };

export class TokensRepository {
  constructor(private readonly db: Database) {}

  insert(row: Omit<TokenRow, "last_used_at" | "revoked_at">): void {
    this.db
      .query("INSERT INTO api_tokens (id, token_hash, address, name, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(row.id, row.token_hash, row.address, row.name, row.scopes, row.created_at, row.expires_at);
  }

  findLive(tokenHash: string, now: number): LiveToken | null {
    return this.db
      .query<LiveToken, [string, number]>(
        `SELECT t.*, u.role FROM api_tokens t JOIN users u ON u.address = t.address
         WHERE t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)`,
      )
      .get(tokenHash, now);
  }

  isLive(id: string, now: number): boolean {
    return this.db.query("SELECT 1 FROM api_tokens WHERE id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)").get(id, now) !== null;
  }

  touch(id: string, now: number): void {
    this.db.query("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").run(now, id);
  }

  get(id: string): TokenRow | null {
    return this.db.query<TokenRow, [string]>("SELECT * FROM api_tokens WHERE id = ?").get(id);
  }

  listLive(address: string, now: number): TokenRow[] {
    return this.db
      .query<TokenRow, [string, number]>("SELECT * FROM api_tokens WHERE address = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at DESC")
      .all(address, now);
  }

  revoke(id: string, now: number): boolean {
    return this.db.query("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(now, id).changes === 1;
  }
}
