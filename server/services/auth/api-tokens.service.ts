// API tokens for automation and the SDK: shown once, stored hashed, scoped, never beyond the creator's role.
import { ForbiddenError, NotFoundError } from "../../errors.ts";
import type { EventBus } from "../../events.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { CreateTokenBody } from "./auth.schemas.ts";
import { ROLE_SCOPES, type Principal, type Scope } from "../../principal.ts";
import { API_TOKEN_PREFIX, hashSecret, newId, newSecret } from "./secret-tokens.ts";
import { tokenScopes } from "./sessions.service.ts";
import type { TokenRow, TokensRepository } from "./tokens.repository.ts";

export interface TokenView {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

const DAY_MS = 86_400_000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function view(t: TokenRow): TokenView {
  return { id: t.id, name: t.name, scopes: JSON.parse(t.scopes), createdAt: iso(t.created_at)!, expiresAt: iso(t.expires_at), lastUsedAt: iso(t.last_used_at) };
}

export class ApiTokensService {
  constructor(
    private readonly tokens: TokensRepository,
    private readonly audit: AuditService,
    private readonly events: EventBus,
  ) {}

  create(by: Principal, input: CreateTokenBody, ip: string): TokenView & { token: string } {
    const { name, scopes } = input;
    const beyond = scopes.filter((s) => !ROLE_SCOPES[by.role].includes(s));
    if (beyond.length) throw new ForbiddenError(`A ${by.role} cannot grant: ${beyond.join(", ")}`, "scope_exceeds_role");
    const days = input.expiresInDays ?? 90;

    const token = newSecret(API_TOKEN_PREFIX);
    const now = Date.now();
    const row = { id: newId(), token_hash: hashSecret(token), address: by.address, name, scopes: JSON.stringify(scopes), created_at: now, expires_at: now + days * DAY_MS };
    this.tokens.insert(row);
    this.audit.record({ actor: by.address, action: "token.created", target: row.id, ip, detail: { name, scopes } });
    return { ...view({ ...row, last_used_at: null, revoked_at: null }), token };
  }

  list(by: Principal): TokenView[] {
    return this.tokens.listLive(by.address, Date.now()).map((t) => ({ ...view(t), scopes: [...tokenScopes(t.scopes, by.role)] }));
  }

  /** Revoke one's own token, or anyone's for the Owner; someone else's looks like it does not exist. */
  revoke(by: Principal, id: string, ip: string): void {
    const t = this.tokens.get(id);
    if (!t || (t.address !== by.address && by.role !== "owner")) throw new NotFoundError("No such token", "token_not_found");
    // Revoked already (or just now, by another process): nothing ends, and it says so.
    if (!this.tokens.revoke(id, Date.now())) throw new NotFoundError("No such token", "token_not_found");
    this.audit.record({ actor: by.address, action: "token.revoked", target: id, ip, detail: { of: t.address } });
    this.events.emit("auth.token_revoked", { tokenId: id });
  }
}
