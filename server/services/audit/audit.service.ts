// The audit log: who did what security-relevant thing, when, from where. Never holds a secret.
import { queryInt } from "../validate.ts";
import type { AuditRepository, AuditRow } from "./audit.repository.ts";

export type AuditAction =
  | "auth.login"
  | "auth.login_failed"
  | "auth.logout"
  | "auth.node_claimed"
  | "auth.setup_code_failed"
  | "auth.owner_reset"
  | "session.revoked"
  | "user.invited"
  | "user.role_changed"
  | "user.renamed"
  | "user.removed"
  | "token.created"
  | "token.revoked"
  | "identity.phrase_revealed"
  | "identity.phrase_confirmed"
  | "terminal.opened"
  | "terminal.closed"
  | "network.settings_changed"
  | "network.name_registered"
  | "network.name_released"
  | "tls.mode_changed"
  | "backup.run"
  | "backup.download"
  | "backup.files_restored"
  | "backup.guest.grant"
  | "backup.guest.revoke"
  | "update.apply"
  | "update.rollback"
  | "update.result";

export interface AuditEntry {
  id: number;
  at: string;
  actor: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditRecord {
  actor: string | null;
  action: AuditAction;
  target?: string | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

function toEntry(r: AuditRow): AuditEntry {
  return { id: r.id, at: new Date(r.at).toISOString(), actor: r.actor, action: r.action, target: r.target, ip: r.ip, detail: r.detail ? JSON.parse(r.detail) : null };
}

export class AuditService {
  constructor(private readonly repo: AuditRepository) {}

  record(e: AuditRecord): void {
    this.repo.append({ at: Date.now(), actor: e.actor, action: e.action, target: e.target ?? null, ip: e.ip ?? null, detail: e.detail ? JSON.stringify(e.detail) : null });
  }

  /** Newest first; `next` is the cursor for the following page. */
  page(query: { limit?: string; before?: string; action?: string }): { entries: AuditEntry[]; next: number | null } {
    const limit = queryInt(query.limit, "limit", { min: 1, max: 500, fallback: 100 });
    const before = query.before ? queryInt(query.before, "before", { min: 1, max: Number.MAX_SAFE_INTEGER, fallback: 0 }) : null;
    const action = query.action && /^[a-z_.]{1,64}$/.test(query.action) ? query.action : null;
    const rows = this.repo.page(limit, before, action);
    return { entries: rows.map(toEntry), next: rows.length === limit ? rows.at(-1)!.id : null };
  }
}
