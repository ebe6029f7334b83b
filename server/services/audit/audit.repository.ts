// SQL for the audit log: append-only rows, read newest first.
import type { Database } from "../../db/database.ts";

export interface AuditRow {
  id: number;
  at: number;
  actor: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  detail: string | null;
}

export class AuditRepository {
  constructor(private readonly db: Database) {}

  append(row: Omit<AuditRow, "id">): void {
    this.db.query("INSERT INTO audit_log (at, actor, action, target, ip, detail) VALUES (?, ?, ?, ?, ?, ?)").run(row.at, row.actor, row.action, row.target, row.ip, row.detail);
  }

  page(limit: number, beforeId: number | null, action: string | null): AuditRow[] {
    return this.db
      .query<AuditRow, [number, string | null, number]>("SELECT * FROM audit_log WHERE id < ?1 AND (?2 IS NULL OR action = ?2) ORDER BY id DESC LIMIT ?3")
      .all(beforeId ?? Number.MAX_SAFE_INTEGER, action, limit);
  }
}
