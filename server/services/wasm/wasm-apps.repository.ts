// SQL for the WASM apps a wallet has installed.
import type { Database } from "../../db/database.ts";

export interface WasmAppRow {
  owner: string;
  name: string;
  description: string;
  icon: string | null;
  args: string;
  module_hash: string;
  module_size: number;
  created_at: number;
  updated_at: number;
}

export class WasmAppsRepository {
  constructor(private readonly db: Database) {}

  list(owner: string): WasmAppRow[] {
    return this.db.query<WasmAppRow, [string]>("SELECT * FROM wasm_apps WHERE owner = ? ORDER BY name").all(owner);
  }

  get(owner: string, name: string): WasmAppRow | null {
    return this.db.query<WasmAppRow, [string, string]>("SELECT * FROM wasm_apps WHERE owner = ? AND name = ?").get(owner, name);
  }

  /** Insert or replace the app `row.name` of `row.owner`. */
  put(row: WasmAppRow): void {
    this.db
      .query(
        `INSERT INTO wasm_apps (owner, name, description, icon, args, module_hash, module_size, created_at, updated_at)
         VALUES ($owner, $name, $description, $icon, $args, $module_hash, $module_size, $created_at, $updated_at)
         ON CONFLICT (owner, name) DO UPDATE SET description = excluded.description, icon = excluded.icon, args = excluded.args,
           module_hash = excluded.module_hash, module_size = excluded.module_size, updated_at = excluded.updated_at`,
      )
      .run(row as never);
  }

  delete(owner: string, name: string): boolean {
    return this.db.query("DELETE FROM wasm_apps WHERE owner = ? AND name = ?").run(owner, name).changes > 0;
  }

  /** Whether any of `owner`'s apps still uses the module `hash`. */
  usesModule(owner: string, hash: string): boolean {
    return this.db.query("SELECT 1 FROM wasm_apps WHERE owner = ? AND module_hash = ? LIMIT 1").get(owner, hash) !== null;
  }

  /** Bytes of `owner`'s stored modules (each module once, however many apps use it), for the quota. */
  storedBytes(owner: string): number {
    return this.db.query<{ n: number | null }, [string]>("SELECT sum(module_size) AS n FROM (SELECT DISTINCT module_hash, module_size FROM wasm_apps WHERE owner = ?)").get(owner)!.n ?? 0;
  }

  /** Every module file that should exist, as owner/hash pairs. */
  modules(): { owner: string; module_hash: string }[] {
    return this.db.query<{ owner: string; module_hash: string }, []>("SELECT DISTINCT owner, module_hash FROM wasm_apps").all();
  }
}
