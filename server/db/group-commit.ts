// Transactions of writers that arrive together, committed together. Each writer's function runs
// inside one shared IMMEDIATE transaction under a savepoint of its own — a writer that throws undoes
// its own changes only, and gets its error — and one COMMIT ends the lot. A commit writes every page
// its transaction changed to the WAL; writers in one batch share most of theirs (the same table and
// index pages, the same usage row), so fifty small files cost a handful of page writes each instead
// of a dozen. A writer waits at most one turn of the event loop for the others to join it.
import type { Database } from "./database.ts";

interface Waiting {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  private queue: Waiting[] = [];
  private scheduled = false;
  /** Batches committed, and the writers in them (tests read them). */
  readonly stats = { batches: 0, writers: 0 };

  /** The statements a batch runs, compiled once (cached by the connection, which finalizes them when it closes). */
  private readonly sql: Record<"begin" | "savepoint" | "release" | "rollbackTo" | "commit", { run(): unknown }>;

  constructor(private readonly db: Database) {
    this.sql = {
      begin: db.query("BEGIN IMMEDIATE"),
      savepoint: db.query("SAVEPOINT writer"),
      release: db.query("RELEASE writer"),
      rollbackTo: db.query("ROLLBACK TO writer"),
      commit: db.query("COMMIT"),
    };
  }

  /** Run `fn` in the next shared transaction; settles once that transaction has committed (or failed). */
  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.commit());
    });
  }

  private commit(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0);
    const outcomes: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
    try {
      this.sql.begin.run();
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    try {
      for (const w of batch) {
        this.sql.savepoint.run();
        try {
          outcomes.push({ ok: true, value: w.fn() });
          this.sql.release.run();
        } catch (err) {
          this.sql.rollbackTo.run();
          this.sql.release.run();
          outcomes.push({ ok: false, err });
        }
      }
      this.sql.commit.run();
    } catch (err) {
      // The commit itself failed (a full disk, an I/O error): nobody's changes are kept.
      if (this.db.inTransaction) this.db.run("ROLLBACK");
      for (const w of batch) w.reject(err);
      return;
    }
    this.stats.batches++;
    this.stats.writers += batch.length;
    batch.forEach((w, i) => {
      const o = outcomes[i]!;
      if (o.ok) w.resolve(o.value);
      else w.reject(o.err);
    });
  }
}
