// Sessions and credentials: create a session at sign-in, turn a presented secret into a Principal, end sessions.
import { NotFoundError } from "../../errors.ts";
import type { EventBus } from "../../events.ts";
import type { AuditService } from "../audit/audit.service.ts";
import { ROLE_SCOPES, isScope, type Principal, type Role } from "../../principal.ts";
import { hashSecret, newId, newSecret, secretKind, SESSION_PREFIX } from "./secret-tokens.ts";
import type { SessionRow, SessionsRepository } from "./sessions.repository.ts";
import type { TokensRepository } from "./tokens.repository.ts";

/** Last-seen is written at most this often, not on every request. */
const TOUCH_EVERY_MS = 60_000;

export interface SessionView {
  id: string;
  address: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

export interface ClientFacts {
  ip: string;
  userAgent: string | null;
}

export class SessionsService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly tokens: TokensRepository,
    private readonly audit: AuditService,
    private readonly events: EventBus,
    private readonly limits: { maxAgeMs: number; idleMs: number },
  ) {}

  get maxAgeSeconds(): number {
    return Math.floor(this.limits.maxAgeMs / 1000);
  }

  create(address: string, client: ClientFacts): { token: string; id: string } {
    const token = newSecret(SESSION_PREFIX);
    const id = newId();
    const now = Date.now();
    this.sessions.insert({
      id,
      token_hash: hashSecret(token),
      address,
      created_at: now,
      last_seen_at: now,
      expires_at: now + this.limits.maxAgeMs,
      user_agent: client.userAgent?.slice(0, 300) ?? null,
      ip: client.ip,
    });
    return { token, id };
  }

  /** The principal behind a presented secret, or null if it is not a live session or token. */
  authenticate(secret: string): Principal | null {
    const kind = secretKind(secret);
    if (!kind) return null;
    const now = Date.now();
    const hash = hashSecret(secret);
    if (kind === "session") {
      const s = this.sessions.findLive(hash, now, this.limits.idleMs);
      if (!s) return null;
      if (now - s.last_seen_at > TOUCH_EVERY_MS) this.sessions.touch(s.id, now);
      return { kind: "session", address: s.address, role: s.role, scopes: new Set(ROLE_SCOPES[s.role]), sessionId: s.id, tokenId: null };
    }
    const t = this.tokens.findLive(hash, now);
    if (!t) return null;
    if (t.last_used_at === null || now - t.last_used_at > TOUCH_EVERY_MS) this.tokens.touch(t.id, now);
    return { kind: "token", address: t.address, role: t.role, scopes: tokenScopes(t.scopes, t.role), sessionId: null, tokenId: t.id };
  }

  /** Is this principal's session or token still good (for long-lived sockets)? */
  stillLive(p: Principal): boolean {
    const now = Date.now();
    return p.kind === "session" ? this.sessions.isLive(p.sessionId!, now, this.limits.idleMs) : this.tokens.isLive(p.tokenId!, now);
  }

  list(p: Principal): SessionView[] {
    return this.sessions.listLive(p.address, Date.now(), this.limits.idleMs).map((s) => view(s, p.sessionId));
  }

  /** Sign out the calling session (a token has no session to end). */
  logout(p: Principal, ip: string): void {
    if (p.kind !== "session") return;
    this.end(p.sessionId!);
    this.audit.record({ actor: p.address, action: "auth.logout", target: p.sessionId, ip });
  }

  /** End one's own session, or anyone's for the Owner. Someone else's looks like it does not exist. */
  revoke(p: Principal, id: string, ip: string): void {
    const s = this.sessions.get(id);
    if (!s || s.revoked_at !== null || (s.address !== p.address && p.role !== "owner")) throw new NotFoundError("No such session", "session_not_found");
    this.end(id);
    this.audit.record({ actor: p.address, action: "session.revoked", target: id, ip, detail: { of: s.address } });
  }

  private end(id: string): void {
    if (this.sessions.revoke(id, Date.now())) this.events.emit("auth.session_ended", { sessionId: id });
  }
}

/** A token's scopes, cut down to what its owner's role allows today. */
export function tokenScopes(json: string, role: Role): Set<(typeof ROLE_SCOPES)[Role][number]> {
  const allowed = new Set(ROLE_SCOPES[role]);
  const parsed: unknown = JSON.parse(json);
  return new Set((Array.isArray(parsed) ? parsed : []).filter((s) => isScope(s) && allowed.has(s)));
}

function view(s: SessionRow, current: string | null): SessionView {
  return {
    id: s.id,
    address: s.address,
    createdAt: new Date(s.created_at).toISOString(),
    lastSeenAt: new Date(s.last_seen_at).toISOString(),
    expiresAt: new Date(s.expires_at).toISOString(),
    userAgent: s.user_agent,
    ip: s.ip,
    current: s.id === current,
  };
}
