// SQL for the node_setup row: the hash of the one-time setup code and who claimed the node.
import type { Database } from "../../db/database.ts";

export type CodeSource = "start" | "preset" | "reset";

export interface SetupRow {
  code_hash: string | null;
  code_source: CodeSource | null;
  code_created_at: number | null;
  claimed_by: string | null;
  claimed_at: number | null;
}

export class SetupRepository {
  constructor(private readonly db: Database) {}

  get(): SetupRow {
    return this.db.query<SetupRow, []>("SELECT code_hash, code_source, code_created_at, claimed_by, claimed_at FROM node_setup WHERE id = 1").get()!;
  }

  setCodeHash(hash: string, source: CodeSource, now: number): void {
    this.db.query("UPDATE node_setup SET code_hash = ?, code_source = ?, code_created_at = ? WHERE id = 1").run(hash, source, now);
  }

  /** Mark the node claimed and kill the code, in one statement; false if it was claimed already. */
  claim(wallet: string, now: number): boolean {
    const res = this.db
      .query("UPDATE node_setup SET claimed_by = ?, claimed_at = ?, code_hash = NULL, code_source = NULL, code_created_at = NULL WHERE id = 1 AND claimed_at IS NULL")
      .run(wallet, now);
    return res.changes === 1;
  }

  /** Back to unclaimed (`pc2 owner reset`). */
  unclaim(): void {
    this.db.query("UPDATE node_setup SET claimed_by = NULL, claimed_at = NULL WHERE id = 1").run();
  }
}
