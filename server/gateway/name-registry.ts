// The gateway's names, in the node's SQLite database: one name per node, changed only in transactions.
import { type Database, transaction } from "../db/database.ts";

export interface NameEntry {
  username: string;
  nodeId: string;
  registeredAt: number;
}

interface Row {
  username: string;
  node_id: string;
  registered_at: number;
}

const entry = (r: Row): NameEntry => ({ username: r.username, nodeId: r.node_id, registeredAt: r.registered_at });

export type RegisterOutcome = { ok: true; entry: NameEntry; replaced: string | null } | { ok: false; takenBy: string };

export class NameRegistry {
  constructor(private readonly db: Database) {}

  byName(username: string): NameEntry | null {
    const r = this.db.query<Row, [string]>("SELECT username, node_id, registered_at FROM gateway_names WHERE username = ?").get(username);
    return r ? entry(r) : null;
  }

  byNode(nodeId: string): NameEntry | null {
    const r = this.db.query<Row, [string]>("SELECT username, node_id, registered_at FROM gateway_names WHERE node_id = ?").get(nodeId);
    return r ? entry(r) : null;
  }

  /** Give `username` to `nodeId`, releasing the node's previous name; refused if another node holds it. */
  register(username: string, nodeId: string, now = Date.now()): RegisterOutcome {
    return transaction(this.db, () => {
      const holder = this.byName(username);
      if (holder && holder.nodeId !== nodeId) return { ok: false as const, takenBy: holder.nodeId };
      if (holder) {
        this.db.run("UPDATE gateway_names SET updated_at = ? WHERE username = ?", [now, username]);
        return { ok: true as const, entry: holder, replaced: null };
      }
      const previous = this.byNode(nodeId);
      if (previous) this.db.run("DELETE FROM gateway_names WHERE node_id = ?", [nodeId]);
      this.db.run("INSERT INTO gateway_names (username, node_id, registered_at, updated_at) VALUES (?, ?, ?, ?)", [username, nodeId, now, now]);
      return { ok: true as const, entry: { username, nodeId, registeredAt: now }, replaced: previous?.username ?? null };
    });
  }

  /** Release `username` if `nodeId` holds it; true when something was released. */
  release(username: string, nodeId: string): boolean {
    return this.db.run("DELETE FROM gateway_names WHERE username = ? AND node_id = ?", [username, nodeId]).changes > 0;
  }

  count(): number {
    return this.db.query<{ n: number }, []>("SELECT count(*) AS n FROM gateway_names").get()!.n;
  }
}
