// SQL for node-wide settings a user changes at run time (the `settings` key/value table).
import type { Database } from "../../db/database.ts";

export class SettingsRepository {
  constructor(private readonly db: Database) {}

  get(key: string): string | null {
    return this.db.query<{ value: string }, [string]>("SELECT value FROM settings WHERE key = ?").get(key)?.value ?? null;
  }

  set(key: string, value: string): void {
    this.db.query("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at").run(key, value, Date.now());
  }

  delete(key: string): void {
    this.db.query("DELETE FROM settings WHERE key = ?").run(key);
  }
}
