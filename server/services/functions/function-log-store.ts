// Where a function's log lines and request counts outlive the node's process: SQLite, written in
// batches (a function that logs in a loop costs one transaction per batch, not one per line) and
// trimmed to the last MAX_LOG_ENTRIES lines per function as it writes.
import { transaction, type Database } from "../../db/database.ts";
import type { LogLevel } from "../../../workers/function-protocol.ts";

export interface StoredLogEntry {
  at: number;
  level: LogLevel;
  message: string;
  deployment: string;
}

export interface StoredCounts {
  requests: number;
  errors: number;
}

export class FunctionLogStore {
  constructor(
    private readonly db: Database,
    /** Lines kept per function. */
    private readonly keep: number,
  ) {}

  /** The function's last lines, oldest first. */
  lines(functionId: string): StoredLogEntry[] {
    return this.db
      .query<StoredLogEntry, [string, number]>(
        "SELECT at, level, message, deployment FROM (SELECT id, at, level, message, deployment FROM function_logs WHERE function_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
      )
      .all(functionId, this.keep);
  }

  counts(functionId: string): StoredCounts {
    return this.db.query<StoredCounts, [string]>("SELECT requests, errors FROM function_counts WHERE function_id = ?").get(functionId) ?? { requests: 0, errors: 0 };
  }

  /**
   * Append lines and set counts, in one transaction; each function's lines beyond the last `keep`
   * go. A function deleted meanwhile is skipped (its rows went with it).
   */
  write(lines: Map<string, StoredLogEntry[]>, counts: Map<string, StoredCounts>): void {
    const exists = this.db.query<{ one: number }, [string]>("SELECT 1 AS one FROM functions WHERE id = ?");
    const insert = this.db.query("INSERT INTO function_logs (function_id, at, level, message, deployment) VALUES (?, ?, ?, ?, ?)");
    const trim = this.db.query("DELETE FROM function_logs WHERE function_id = ?1 AND id <= (SELECT id FROM function_logs WHERE function_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)");
    const setCounts = this.db.query(
      "INSERT INTO function_counts (function_id, requests, errors) VALUES (?, ?, ?) ON CONFLICT (function_id) DO UPDATE SET requests = excluded.requests, errors = excluded.errors",
    );
    transaction(this.db, () => {
      for (const [id, entries] of lines) {
        if (!exists.get(id)) continue;
        // Only the last `keep` can survive the trim: older ones are not written at all.
        for (const e of entries.slice(-this.keep)) insert.run(id, e.at, e.level, e.message, e.deployment);
        trim.run(id, this.keep);
      }
      for (const [id, c] of counts) if (exists.get(id)) setCounts.run(id, c.requests, c.errors);
    });
  }

  forget(functionId: string): void {
    this.db.query("DELETE FROM function_logs WHERE function_id = ?").run(functionId);
    this.db.query("DELETE FROM function_counts WHERE function_id = ?").run(functionId);
  }
}
