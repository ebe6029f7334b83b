// Applies pending numbered migrations, each in its own transaction, recorded in schema_migrations.
import type { Database } from "./database.ts";
import { transaction } from "./database.ts";
import { MIGRATIONS, type Migration } from "./migrations/index.ts";

export class MigrationError extends Error {
  override name = "MigrationError";
}

export function appliedVersions(db: Database): number[] {
  return db
    .query<{ version: number }, []>("SELECT version FROM schema_migrations ORDER BY version")
    .all()
    .map((r) => r.version);
}

/** Bring the schema up to date. Returns the versions applied now. Refuses a database from a newer PC2. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);

  const versions = migrations.map((m) => m.version);
  if (versions.some((v, i) => i > 0 && v <= versions[i - 1]!)) throw new MigrationError("migrations must be in strictly increasing order");

  const applied = new Set(appliedVersions(db));
  const newest = Math.max(0, ...versions);
  const unknown = [...applied].filter((v) => v > newest);
  if (unknown.length) {
    throw new MigrationError(`the database was written by a newer PC2 (schema version ${Math.max(...unknown)}; this build knows up to ${newest})`);
  }

  const done: number[] = [];
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    try {
      transaction(db, () => {
        db.run(m.sql);
        db.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(m.version, m.name, Date.now());
      });
    } catch (err) {
      throw new MigrationError(`the database migration to schema version ${m.version} (${m.name}) failed: ${(err as Error).message}`);
    }
    done.push(m.version);
  }
  return done;
}
