// The functions tables (migration 0010): functions by owner and name, their immutable deployments,
// and their sealed secrets. Every query is scoped by the owning wallet or by a function's id that
// was found through it.
import type { Database } from "bun:sqlite";
import type { CustomLimits } from "./function-limits.ts";

export type Visibility = "private" | "public";

export interface FunctionRow {
  id: string;
  owner: string;
  name: string;
  visibility: Visibility;
  disabled: boolean;
  current_deployment: string | null;
  allowed_hosts: string[];
  /** Outbound requests may reach the LAN and loopback (set by the Owner only). */
  allow_lan: boolean;
  /** Its own host name's first label (<subdomain>.<functions domain>), unique on the node; null: none. */
  subdomain: string | null;
  /** Limits its deployer set lower than the node's (function-limits.ts). */
  limits: CustomLimits;
  created_at: number;
  updated_at: number;
}

export interface DeploymentRow {
  id: string;
  entry: string;
  size: number;
  created_at: number;
}

type RawFunction = Omit<FunctionRow, "disabled" | "allowed_hosts" | "allow_lan" | "limits"> & { disabled: number; allowed_hosts: string; allow_lan: number; limits: string };

const toRow = (r: RawFunction): FunctionRow => ({
  ...r,
  disabled: r.disabled === 1,
  allow_lan: r.allow_lan === 1,
  allowed_hosts: JSON.parse(r.allowed_hosts) as string[],
  limits: JSON.parse(r.limits) as CustomLimits,
});

export class FunctionsRepository {
  constructor(private readonly db: Database) {}

  find(owner: string, name: string): FunctionRow | null {
    const r = this.db.query<RawFunction, [string, string]>("SELECT * FROM functions WHERE owner = ? AND name = ?").get(owner, name);
    return r ? toRow(r) : null;
  }

  list(owner: string): FunctionRow[] {
    return this.db.query<RawFunction, [string]>("SELECT * FROM functions WHERE owner = ? ORDER BY name").all(owner).map(toRow);
  }

  /** The function a subdomain names, whoever owns it (a host name is the node's, not a wallet's). */
  bySubdomain(label: string): { owner: string; name: string } | null {
    return this.db.query<{ owner: string; name: string }, [string]>("SELECT owner, name FROM functions WHERE subdomain = ?").get(label);
  }

  /** Every function's own host name label, the oldest function's first. */
  subdomains(): string[] {
    return this.db
      .query<{ subdomain: string }, []>("SELECT subdomain FROM functions WHERE subdomain IS NOT NULL ORDER BY created_at, id")
      .all()
      .map((r) => r.subdomain);
  }

  all(): FunctionRow[] {
    return this.db.query<RawFunction, []>("SELECT * FROM functions").all().map(toRow);
  }

  /** A new deployment made current, creating the function on its first deploy (one transaction). */
  deploy(fn: { id: string; owner: string; name: string; visibility: Visibility; allowedHosts: string[] }, deployment: DeploymentRow): FunctionRow {
    const now = Date.now();
    this.db.transaction(() => {
      this.db
        .query(
          `INSERT INTO functions (id, owner, name, visibility, allowed_hosts, current_deployment, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (owner, name) DO UPDATE SET current_deployment = excluded.current_deployment, updated_at = excluded.updated_at`,
        )
        .run(fn.id, fn.owner, fn.name, fn.visibility, JSON.stringify(fn.allowedHosts), deployment.id, now, now);
      const id = this.find(fn.owner, fn.name)!.id;
      this.db
        .query("INSERT OR IGNORE INTO function_deployments (function_id, id, entry, size, created_at) VALUES (?, ?, ?, ?, ?)")
        .run(id, deployment.id, deployment.entry, deployment.size, deployment.created_at);
    })();
    return this.find(fn.owner, fn.name)!;
  }

  deployments(functionId: string): DeploymentRow[] {
    return this.db.query<DeploymentRow, [string]>("SELECT id, entry, size, created_at FROM function_deployments WHERE function_id = ? ORDER BY created_at DESC, rowid DESC").all(functionId);
  }

  setCurrent(functionId: string, deployment: string): void {
    this.db.query("UPDATE functions SET current_deployment = ?, updated_at = ? WHERE id = ?").run(deployment, Date.now(), functionId);
  }

  /** Change what is given (a subdomain: null removes it). Returns false when the subdomain is another function's. */
  update(functionId: string, change: { visibility?: Visibility; disabled?: boolean; allowedHosts?: string[]; allowLan?: boolean; subdomain?: string | null; limits?: CustomLimits }): boolean {
    const f = this.db.query<RawFunction, [string]>("SELECT * FROM functions WHERE id = ?").get(functionId)!;
    const flag = (next: boolean | undefined, now: number) => (next === undefined ? now : next ? 1 : 0);
    try {
      this.db
        .query("UPDATE functions SET visibility = ?, disabled = ?, allowed_hosts = ?, allow_lan = ?, subdomain = ?, limits = ?, updated_at = ? WHERE id = ?")
        .run(
          change.visibility ?? f.visibility,
          flag(change.disabled, f.disabled),
          change.allowedHosts ? JSON.stringify(change.allowedHosts) : f.allowed_hosts,
          flag(change.allowLan, f.allow_lan),
          change.subdomain === undefined ? f.subdomain : change.subdomain,
          change.limits ? JSON.stringify(change.limits) : f.limits,
          Date.now(),
          functionId,
        );
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") return false;
      throw err;
    }
  }

  remove(functionId: string): void {
    this.db.query("DELETE FROM functions WHERE id = ?").run(functionId);
  }

  secretNames(functionId: string): string[] {
    return this.db
      .query<{ name: string }, [string]>("SELECT name FROM function_secrets WHERE function_id = ? ORDER BY name")
      .all(functionId)
      .map((r) => r.name);
  }

  sealedSecrets(functionId: string): { name: string; sealed: string }[] {
    return this.db.query<{ name: string; sealed: string }, [string]>("SELECT name, sealed FROM function_secrets WHERE function_id = ?").all(functionId);
  }

  /** Set (sealed value) or remove (null) each named secret, in one transaction. */
  setSecrets(functionId: string, changes: [string, string | null][]): void {
    this.db.transaction(() => {
      for (const [name, sealed] of changes)
        if (sealed === null) this.db.query("DELETE FROM function_secrets WHERE function_id = ? AND name = ?").run(functionId, name);
        else this.db.query("INSERT INTO function_secrets (function_id, name, sealed) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET sealed = excluded.sealed").run(functionId, name, sealed);
    })();
  }
}
