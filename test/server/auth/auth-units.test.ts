// The auth layer's parts on a real SQLite database, with the clock moved by the test: the Owner
// reset, sessions and tokens (last-seen writes, liveness, sign-out, revocation and who may do it,
// scopes), users, and pruning. The parts without a database are in auth-primitives.test.ts.
// Mutation testing (the auth group) showed these were only exercised through routes, or not at all.
import { afterAll, afterEach, beforeEach, describe, expect, setSystemTime, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type Database } from "../../../server/db/database.ts";
import { migrate } from "../../../server/db/migrate.ts";
import { EventBus } from "../../../server/events.ts";
import { createLogger } from "../../../server/log.ts";
import type { Principal } from "../../../server/principal.ts";
import { AuditRepository } from "../../../server/services/audit/audit.repository.ts";
import { AuditService } from "../../../server/services/audit/audit.service.ts";
import { ApiTokensService } from "../../../server/services/auth/api-tokens.service.ts";
import { NoncesRepository } from "../../../server/services/auth/nonces.repository.ts";
import { resetOwner } from "../../../server/services/auth/owner-reset.ts";
import { hashSecret } from "../../../server/services/auth/secret-tokens.ts";
import { SessionsRepository } from "../../../server/services/auth/sessions.repository.ts";
import { SessionsService, tokenScopes } from "../../../server/services/auth/sessions.service.ts";
import { TokensRepository } from "../../../server/services/auth/tokens.repository.ts";
import { UsersRepository } from "../../../server/services/auth/users.repository.ts";
import { normalizeAddress, UsersService } from "../../../server/services/auth/users.service.ts";
import { setupCodeMatches } from "../../../server/services/setup/setup-code.ts";
import { refusalOf } from "../../helpers/refusal.ts";
import { SetupRepository } from "../../../server/services/setup/setup.repository.ts";

const OWNER = `0x${"a".repeat(40)}`;
const MEMBER = `0x${"b".repeat(40)}`;
const T0 = Date.parse("2026-12-05T00:00:00Z");
const silent = createLogger({ level: "error", format: "json", sink: { write: () => undefined } });

describe("on a database", () => {
  let dir: string;
  let db: Database;
  let users: UsersRepository;
  let sessionsRepo: SessionsRepository;
  let tokensRepo: TokensRepository;
  let audit: AuditService;
  let auditRepo: AuditRepository;
  let events: EventBus;
  let heard: { name: string; payload: unknown }[];
  const IDLE = 3_600_000;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "pc2-auth-units-"));
    db = openDatabase(join(dir, "pc2.db"));
    migrate(db);
    users = new UsersRepository(db);
    sessionsRepo = new SessionsRepository(db);
    tokensRepo = new TokensRepository(db);
    auditRepo = new AuditRepository(db);
    audit = new AuditService(auditRepo);
    events = new EventBus(silent);
    heard = [];
    events.on("auth.session_ended", (p) => void heard.push({ name: "auth.session_ended", payload: p }));
    events.on("auth.token_revoked", (p) => void heard.push({ name: "auth.token_revoked", payload: p }));
    events.on("auth.user_changed", (p) => void heard.push({ name: "auth.user_changed", payload: p }));
    users.insert(OWNER, "owner", null, T0);
    users.insert(MEMBER, "member", OWNER, T0);
    setSystemTime(new Date(T0));
  });
  afterEach(() => {
    setSystemTime();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => setSystemTime());

  const sessions = () => new SessionsService(sessionsRepo, tokensRepo, audit, events, { maxAgeMs: 7 * 86_400_000 + 999, idleMs: IDLE });
  const lastAudit = () => auditRepo.page(1, null, null)[0]!;

  test("a session: its user agent kept to 300 characters, last seen written at most once a minute, live until revoked", () => {
    const s = sessions();
    expect(s.maxAgeSeconds).toBe(7 * 86_400);
    const { token, id } = s.create(OWNER, { ip: "203.0.113.1", userAgent: "u".repeat(400) });
    expect(sessionsRepo.get(id)!.user_agent).toBe("u".repeat(300));
    expect(s.create(OWNER, { ip: "203.0.113.1", userAgent: null }).token).toMatch(/^pc2s_/);
    const p = s.authenticate(token)!;
    expect(p).toMatchObject({ kind: "session", address: OWNER, role: "owner", sessionId: id, tokenId: null });
    setSystemTime(new Date(T0 + 60_000));
    s.authenticate(token);
    expect(sessionsRepo.get(id)!.last_seen_at).toBe(T0);
    setSystemTime(new Date(T0 + 60_001));
    s.authenticate(token);
    expect(sessionsRepo.get(id)!.last_seen_at).toBe(T0 + 60_001);
    expect(s.stillLive(p)).toBe(true);
    expect(s.authenticate(`pc2s_${"Z".repeat(43)}`)).toBeNull();
    expect(s.authenticate("not a secret")).toBeNull();
    // Idle past the limit: no longer live.
    setSystemTime(new Date(T0 + 60_001 + IDLE + 1));
    expect(s.stillLive(p)).toBe(false);
    expect(s.authenticate(token)).toBeNull();
  });

  test("sign-out ends the calling session (audited, announced); a token has no session to end", () => {
    const s = sessions();
    const { token, id } = s.create(MEMBER, { ip: "203.0.113.2", userAgent: null });
    const p = s.authenticate(token)!;
    const tokenPrincipal: Principal = { kind: "token", address: MEMBER, role: "member", scopes: new Set(), sessionId: null, tokenId: "t1" };
    s.logout(tokenPrincipal, "203.0.113.2");
    expect(heard).toEqual([]);
    expect(auditRepo.page(1, null, null)).toEqual([]);
    s.logout(p, "203.0.113.2");
    expect(sessionsRepo.get(id)!.revoked_at).toBe(T0);
    expect(heard).toEqual([{ name: "auth.session_ended", payload: { sessionId: id } }]);
    expect(lastAudit()).toMatchObject({ actor: MEMBER, action: "auth.logout", target: id, ip: "203.0.113.2" });
    expect(s.stillLive(p)).toBe(false);
  });

  test("revoking: one's own, or anyone's for the Owner; someone else's or an ended one looks like it does not exist", () => {
    const s = sessions();
    const mine = s.create(MEMBER, { ip: "x", userAgent: null });
    const theirs = s.create(OWNER, { ip: "x", userAgent: null });
    const member = s.authenticate(mine.token)!;
    const owner = s.authenticate(theirs.token)!;
    expect(s.list(member).map((v) => [v.id, v.current])).toEqual([[mine.id, true]]);
    const notFound = { status: 404, code: "session_not_found", message: "No such session" };
    expect(refusalOf(() => s.revoke(member, theirs.id, "x"))).toEqual(notFound);
    expect(refusalOf(() => s.revoke(member, "missing", "x"))).toEqual(notFound);
    // A Member ends their own other session (on another device): listed, not the current one.
    const other = s.create(MEMBER, { ip: "x", userAgent: "other browser" });
    expect(
      s
        .list(member)
        .map((v) => [v.id, v.current])
        .sort(),
    ).toEqual(
      [
        [mine.id, true],
        [other.id, false],
      ].sort() as [string, boolean][],
    );
    s.revoke(member, other.id, "x");
    expect(s.authenticate(other.token)).toBeNull();
    heard.length = 0;
    s.revoke(owner, mine.id, "198.51.100.9");
    expect(lastAudit()).toMatchObject({ actor: OWNER, action: "session.revoked", target: mine.id, ip: "198.51.100.9", detail: JSON.stringify({ of: MEMBER }) });
    expect(heard).toEqual([{ name: "auth.session_ended", payload: { sessionId: mine.id } }]);
    expect(() => s.revoke(owner, mine.id, "x")).toThrow("No such session");
    s.revoke(owner, theirs.id, "x");
    expect(sessionsRepo.get(theirs.id)!.revoked_at).toBe(T0);
  });

  test("a token: scopes cut to what its creator's role allows today; last used written at first use and then at most once a minute", () => {
    const tokens = new ApiTokensService(tokensRepo, audit, events);
    const s = sessions();
    const owner = s.authenticate(s.create(OWNER, { ip: "x", userAgent: null }).token)!;
    const made = tokens.create(owner, { name: "ci", scopes: ["files:read", "wasm:run"] }, "198.51.100.1");
    expect(made).toMatchObject({ name: "ci", scopes: ["files:read", "wasm:run"], createdAt: new Date(T0).toISOString(), expiresAt: new Date(T0 + 90 * 86_400_000).toISOString(), lastUsedAt: null });
    expect(lastAudit()).toMatchObject({ action: "token.created", target: made.id, detail: JSON.stringify({ name: "ci", scopes: ["files:read", "wasm:run"] }) });
    const p = s.authenticate(made.token)!;
    expect(p).toMatchObject({ kind: "token", address: OWNER, sessionId: null, tokenId: made.id });
    expect([...p.scopes].sort()).toEqual(["files:read", "wasm:run"]);
    expect(tokensRepo.get(made.id)!.last_used_at).toBe(T0);
    setSystemTime(new Date(T0 + 60_000));
    s.authenticate(made.token);
    expect(tokensRepo.get(made.id)!.last_used_at).toBe(T0);
    setSystemTime(new Date(T0 + 60_001));
    s.authenticate(made.token);
    expect(tokensRepo.get(made.id)!.last_used_at).toBe(T0 + 60_001);
    expect(tokens.list(owner)[0]!.lastUsedAt).toBe(new Date(T0 + 60_001).toISOString());
    expect(s.stillLive(p)).toBe(true);
    // A token's shape with no token behind it.
    expect(s.authenticate(`pc2_${"A".repeat(43)}`)).toBeNull();
    expect(s.authenticate(`pc2s_${"A".repeat(43)}`)).toBeNull();
    // Demoted to Member: the token keeps only what a Member may do.
    users.setRole(OWNER, "member", T0);
    expect([...s.authenticate(made.token)!.scopes]).toEqual(["files:read"]);
    expect(tokens.list({ ...owner, role: "member" })[0]!.scopes).toEqual(["files:read"]);
    expect([...tokenScopes('["files:read","nonsense","wasm:run"]', "admin")].sort()).toEqual(["files:read", "wasm:run"]);
    expect([...tokenScopes('{"files:read":true}', "owner")]).toEqual([]);
  });

  test("a token beyond the creator's role is refused, naming the scopes; revoking: one's own, or anyone's for the Owner", () => {
    const tokens = new ApiTokensService(tokensRepo, audit, events);
    const s = sessions();
    const owner = s.authenticate(s.create(OWNER, { ip: "x", userAgent: null }).token)!;
    const member = s.authenticate(s.create(MEMBER, { ip: "x", userAgent: null }).token)!;
    expect(refusalOf(() => tokens.create(member, { name: "x", scopes: ["files:read", "wasm:run", "functions:deploy"] }, "x"))).toEqual({
      status: 403,
      code: "scope_exceeds_role",
      message: "A member cannot grant: wasm:run, functions:deploy",
    });
    const ownersToken = tokens.create(owner, { name: "o", scopes: ["files:read"] }, "x");
    const membersToken = tokens.create(member, { name: "m", scopes: ["files:read"], expiresInDays: 1 }, "x");
    expect(membersToken.expiresAt).toBe(new Date(T0 + 86_400_000).toISOString());
    const noToken = { status: 404, code: "token_not_found", message: "No such token" };
    expect(refusalOf(() => tokens.revoke(member, ownersToken.id, "x"))).toEqual(noToken);
    expect(refusalOf(() => tokens.revoke(member, "missing", "x"))).toEqual(noToken);
    tokens.revoke(owner, membersToken.id, "198.51.100.3");
    expect(lastAudit()).toMatchObject({ actor: OWNER, action: "token.revoked", target: membersToken.id, ip: "198.51.100.3", detail: JSON.stringify({ of: MEMBER }) });
    expect(heard).toEqual([{ name: "auth.token_revoked", payload: { tokenId: membersToken.id } }]);
    // Revoked twice: the second says there is no such token, and records nothing.
    const audited = lastAudit();
    expect(refusalOf(() => tokens.revoke(owner, membersToken.id, "x"))).toEqual(noToken);
    expect(lastAudit()).toEqual(audited);
    expect(tokensRepo.isLive(membersToken.id, T0)).toBe(false);
    expect(tokensRepo.isLive(ownersToken.id, T0)).toBe(true);
    expect(tokensRepo.isLive(ownersToken.id, T0 + 90 * 86_400_000)).toBe(false);
    // Revoking in the table says whether it ended a live token (two at once: one wins).
    expect(tokensRepo.revoke(ownersToken.id, T0)).toBe(true);
    expect(tokensRepo.revoke(ownersToken.id, T0)).toBe(false);
    tokens.revoke(member, tokens.create(member, { name: "mine", scopes: [] }, "x").id, "x");
  });

  test("pruning forgets sessions that ended and challenges that expired, nothing else", () => {
    const s = sessions();
    const live = s.create(OWNER, { ip: "x", userAgent: null });
    const revoked = s.create(OWNER, { ip: "x", userAgent: null });
    sessionsRepo.revoke(revoked.id, T0);
    expect(sessionsRepo.prune(T0)).toBe(0);
    expect(sessionsRepo.prune(T0 + 1)).toBe(1);
    expect(sessionsRepo.get(revoked.id)).toBeNull();
    expect(sessionsRepo.get(live.id)).not.toBeNull();
    expect(sessionsRepo.prune(T0 + 7 * 86_400_000 + 1000)).toBe(1);
    const nonces = new NoncesRepository(db);
    for (const [nonce, expires] of [
      ["old0000000", T0 - 1],
      ["new0000000", T0 + 1],
    ] as const)
      nonces.insert({ nonce, address: OWNER, message: "m", domain: "d", issued_at: T0 - 300_000, expires_at: expires });
    expect(nonces.prune(T0)).toBe(1);
    expect(nonces.consume("new0000000", T0)).not.toBeNull();
    expect(nonces.consume("old0000000", T0)).toBeNull();
  });

  test("users: invite, rename, change role, remove — each audited with its detail, each refusal with its message", () => {
    const service = new UsersService(users, audit, events);
    const s = sessions();
    const owner = s.authenticate(s.create(OWNER, { ip: "x", userAgent: null }).token)!;
    const NEW = "0x00000000000000000000000000000000000000c1";
    // (An array holding an address reads as that address when turned into text: still refused, as a 400.)
    for (const bad of ["c1", "c".repeat(40), `0x${"g".repeat(40)}`, `x0x${"c".repeat(40)}`, `0x${"c".repeat(40)}0`, 42, [NEW], null])
      expect(refusalOf(() => normalizeAddress(bad))).toMatchObject({ code: "invalid_request", message: "address must be a 0x-prefixed Ethereum address", extra: { field: "address" } });
    expect(normalizeAddress("0x00000000000000000000000000000000000000C1")).toBe(NEW);
    expect(service.invite(owner, { address: "0x00000000000000000000000000000000000000C1", role: "admin" }, "198.51.100.4")).toMatchObject({ address: NEW, role: "admin", invitedBy: OWNER });
    expect(lastAudit()).toMatchObject({ actor: OWNER, action: "user.invited", target: NEW, ip: "198.51.100.4", detail: JSON.stringify({ role: "admin" }) });
    expect(refusalOf(() => service.invite(owner, { address: NEW, role: "member" }, "x"))).toMatchObject({ code: "user_exists", message: "This wallet is already a user of this node" });
    const missing = `0x${"d".repeat(40)}`;
    for (const fn of [
      () => service.change(owner, missing, { role: "member" }, "x"),
      () => service.change(owner, missing, { name: "Bo" }, "x"),
      () => service.changeRole(owner, missing, "member", "x"),
      () => service.remove(owner, missing, "x"),
    ])
      expect(refusalOf(fn)).toMatchObject({ code: "user_not_found", message: "No such user" });
    expect(refusalOf(() => service.change(owner, NEW, {}, "x"))).toMatchObject({ message: "give a role, a name, or both" });
    expect(refusalOf(() => service.change(owner, NEW, { name: "  " }, "x"))).toMatchObject({ message: "name: must not be blank (null removes it)", extra: { field: "name" } });
    // A name: audited once; the same name again is no change.
    expect(service.change(owner, NEW, { name: " Ada " }, "x").name).toBe("Ada");
    expect(lastAudit()).toMatchObject({ action: "user.renamed", target: NEW, detail: JSON.stringify({ name: "Ada" }) });
    const renamedAt = lastAudit().id;
    service.change(owner, NEW, { name: "Ada" }, "x");
    expect(lastAudit().id).toBe(renamedAt);
    // The list: the Owner, then Admins, then Members.
    expect(service.list().map((u) => [u.address, u.name, u.role, u.invitedBy])).toEqual([
      [OWNER, null, "owner", null],
      [NEW, "Ada", "admin", OWNER],
      [MEMBER, null, "member", OWNER],
    ]);
    // null takes the name away.
    expect(service.change(owner, NEW, { name: null }, "x").name).toBeNull();
    expect(lastAudit()).toMatchObject({ action: "user.renamed", target: NEW, detail: JSON.stringify({ name: null }) });
    service.change(owner, NEW, { name: "Ada" }, "x");
    // A role: audited and announced (sockets reconnect); the same role again is no change.
    heard.length = 0;
    expect(service.change(owner, NEW, { role: "member" }, "198.51.100.5").role).toBe("member");
    expect(lastAudit()).toMatchObject({ action: "user.role_changed", target: NEW, ip: "198.51.100.5", detail: JSON.stringify({ from: "admin", to: "member" }) });
    expect(heard).toEqual([{ name: "auth.user_changed", payload: { address: NEW, removed: false } }]);
    service.changeRole(owner, NEW, "member", "x");
    expect(heard).toHaveLength(1);
    expect(refusalOf(() => service.changeRole(owner, OWNER, "admin", "x"))).toMatchObject({ code: "owner_immutable", message: "The Owner's role cannot be changed" });
    expect(refusalOf(() => service.remove(owner, OWNER, "x"))).toMatchObject({ code: "owner_immutable", message: "The Owner cannot be removed (use `pc2 owner reset` on the node)" });
    service.remove(owner, NEW, "198.51.100.6");
    expect(lastAudit()).toMatchObject({ action: "user.removed", target: NEW, ip: "198.51.100.6", detail: JSON.stringify({ role: "member" }) });
    expect(heard.at(-1)).toEqual({ name: "auth.user_changed", payload: { address: NEW, removed: true } });
    expect(users.get(NEW)).toBeNull();
  });

  test("owner reset: the Owner goes (with their sessions), the node is unclaimed with a fresh code, others stay; audited", async () => {
    const setup = new SetupRepository(db);
    setup.claim(OWNER, T0);
    const s = sessions();
    const ownerSession = s.create(OWNER, { ip: "x", userAgent: null });
    const memberSession = s.create(MEMBER, { ip: "x", userAgent: null });
    const { code, previousOwner } = await resetOwner(db, setup, users, audit);
    expect(previousOwner).toBe(OWNER);
    expect(users.get(OWNER)).toBeNull();
    expect(users.get(MEMBER)?.role).toBe("member");
    expect(s.authenticate(ownerSession.token)).toBeNull();
    expect(s.authenticate(memberSession.token)).not.toBeNull();
    const row = setup.get();
    expect(row).toMatchObject({ claimed_by: null, claimed_at: null, code_source: "reset", code_created_at: T0 });
    expect(await setupCodeMatches(code, row.code_hash!)).toBe(true);
    expect(lastAudit()).toMatchObject({ actor: null, action: "auth.owner_reset", target: OWNER, ip: "local" });
    // Again, with no Owner: nobody to remove, a new code all the same.
    const again = await resetOwner(db, setup, users, audit);
    expect(again.previousOwner).toBeNull();
    expect(again.code).not.toBe(code);
    expect(hashSecret(again.code)).not.toBe(hashSecret(code));
  });
});
