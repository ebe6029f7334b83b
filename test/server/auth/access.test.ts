import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { WS_CLOSE } from "../../../server/http/ws-protocol.ts";
import { Pc2WsClient } from "../../../web/api/ws-client.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { addUser, claimOwner, httpFetcher, json, signIn, type Fetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

let t: TestNode;
let f: Fetcher;
let owner: SignedIn;
let admin: SignedIn;
let member: SignedIn;
const origin = () => ({ origin: t.url });
const asCookie = (who: SignedIn, extra: Record<string, string> = {}) => ({ cookie: `pc2_session=${who.cookie}`, ...extra });

beforeAll(async () => {
  t = await startTestNode();
  f = httpFetcher(t.url);
  owner = await claimOwner(f, t.started.setup.code!);
  admin = await addUser(f, owner, "admin");
  member = await addUser(f, owner, "member");
});
afterAll(() => t.stop());

async function status(path: string, init: RequestInit = {}) {
  const res = await f(path, init);
  return { status: res.status, body: await res.json() };
}

describe("roles", () => {
  test("a member calling an admin-or-owner route is refused", async () => {
    const r = await status("/api/users", { headers: member.bearer });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe("insufficient_role");
  });

  test("an admin calling an owner route is refused", async () => {
    for (const [path, init] of [
      ["/api/users", {}],
      ["/api/audit", {}],
      ["/api/identity", {}],
      ["/api/users", json({ address: owner.address, role: "member" })],
    ] as [string, RequestInit][]) {
      const r = await status(path, { ...init, headers: { ...(init.headers as Record<string, string>), ...admin.bearer } });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe("insufficient_role");
    }
  });

  test("without credentials: 401 token_missing; with a bad one: 401 token_auth_failed", async () => {
    expect((await status("/whoami")).body.code).toBe("token_missing");
    expect((await status("/whoami", { headers: { authorization: "Bearer pc2s_" + "A".repeat(43) } })).body.code).toBe("token_auth_failed");
    expect((await status("/whoami", { headers: { cookie: "pc2_session=garbage" } })).status).toBe(401);
  });

  test("Puter's body auth_token is accepted where the SDK sends it, and nowhere else", async () => {
    const res = await f("/api/auth/sessions", { headers: { "content-type": "text/plain;actually=json" } });
    expect(res.status).toBe(401);
    const token = (await signIn(f, member.wallet)).token;
    const puter = { method: "POST", headers: { "content-type": "text/plain;actually=json" } };
    expect((await f("/stat", { ...puter, body: JSON.stringify({ path: "~", auth_token: token }) })).status).toBe(200);
    expect((await f("/fs/readdir", { ...puter, body: JSON.stringify({ path: "~", auth_token: `Bearer ${token}` }) })).status).toBe(200);
    expect((await f("/api/auth/logout", { ...puter, body: JSON.stringify({ auth_token: token }) })).status).toBe(401);
  });
});

describe("users", () => {
  test("the Owner invites, lists, changes a role, and removes", async () => {
    const invited = await addUser(f, owner, "member");
    const list = (await status("/api/users", { headers: owner.bearer })).body.users;
    expect(list[0]).toMatchObject({ address: owner.address, role: "owner" });
    expect(list.map((u: { address: string }) => u.address)).toContain(invited.address);

    const patched = await status(`/api/users/${invited.address}`, { method: "PATCH", headers: { "content-type": "application/json", ...owner.bearer }, body: JSON.stringify({ role: "admin" }) });
    expect(patched.body.user.role).toBe("admin");
    expect((await status("/whoami", { headers: invited.bearer })).body.role).toBe("admin"); // effective at once

    const ws = await Pc2WsClient.connect(t.wsUrl, { headers: invited.bearer });
    const closed = new Promise<number>((r) => ws.onClose((c) => r(c)));
    expect((await status(`/api/users/${invited.address}`, { method: "DELETE", headers: owner.bearer })).body).toEqual({ removed: true });
    expect(await closed).toBe(WS_CLOSE.sessionEnded);
    expect((await status("/whoami", { headers: invited.bearer })).body.code).toBe("token_auth_failed");
    expect((await signIn(f, invited.wallet).catch((e) => e)).body.code).toBe("not_invited");
  });

  test("exactly one Owner: it cannot be invited, demoted or removed", async () => {
    expect((await status("/api/users", { ...json({ address: owner.address, role: "admin" }), headers: { "content-type": "application/json", ...owner.bearer } })).body.code).toBe("user_exists");
    expect((await status("/api/users", { ...json({ address: "0x" + "a".repeat(40), role: "owner" }), headers: { "content-type": "application/json", ...owner.bearer } })).status).toBe(400);
    const demote = await status(`/api/users/${owner.address}`, { method: "PATCH", headers: { "content-type": "application/json", ...owner.bearer }, body: JSON.stringify({ role: "member" }) });
    expect(demote.body.code).toBe("owner_immutable");
    expect((await status(`/api/users/${owner.address}`, { method: "DELETE", headers: owner.bearer })).body.code).toBe("owner_immutable");
  });

  test("names: the Owner names users (its own name too), with each user's storage use in the list; blank, control characters, over 64 or nothing at all are refused", async () => {
    const invited = await addUser(f, owner, "member");
    const patch = (address: string, body: unknown, who = owner) =>
      status(`/api/users/${address}`, { method: "PATCH", headers: { "content-type": "application/json", ...who.bearer }, body: JSON.stringify(body) });
    expect((await patch(invited.address, { name: "  Alice  " })).body.user).toMatchObject({ address: invited.address, name: "Alice", role: "member" });
    expect((await patch(owner.address, { name: "Me" })).body.user).toMatchObject({ name: "Me", role: "owner" });
    const both = await patch(invited.address, { name: "Alice B.", role: "admin" });
    expect(both.body.user).toMatchObject({ name: "Alice B.", role: "admin" });
    const listed = (await status("/api/users", { headers: owner.bearer })).body.users.find((u: { address: string }) => u.address === invited.address);
    expect(listed).toMatchObject({ name: "Alice B.", usedBytes: 0, quotaBytes: null });
    expect((await patch(invited.address, { name: null })).body.user.name).toBeNull();
    for (const bad of [{}, { name: "" }, { name: "   " }, { name: "a\u0007b" }, { name: "x".repeat(65) }, { name: 5 }]) expect((await patch(invited.address, bad)).status).toBe(400);
    expect((await patch(invited.address, { name: "Mallory" }, invited)).status).toBe(403); // users are the Owner's to manage: an Admin is refused
    const audit = (await status("/api/audit?action=user.renamed", { headers: owner.bearer })).body.entries;
    expect(audit.length).toBeGreaterThanOrEqual(3);
  });

  test("bad user input", async () => {
    const post = (body: unknown) => status("/api/users", { method: "POST", headers: { "content-type": "application/json", ...owner.bearer }, body: JSON.stringify(body) });
    expect((await post({ address: "0x12", role: "member" })).status).toBe(400);
    expect((await post({ address: "0x" + "b".repeat(40), role: "king" })).status).toBe(400);
    expect((await post([])).status).toBe(400);
    expect((await status("/api/users/not-an-address", { method: "DELETE", headers: owner.bearer })).status).toBe(400);
    expect((await status(`/api/users/0x${"c".repeat(40)}`, { method: "DELETE", headers: owner.bearer })).body.code).toBe("user_not_found");
  });
});

describe("sessions", () => {
  test("list own sessions; logout ends the session and clears the cookie", async () => {
    const s = await signIn(f, member.wallet);
    const list = (await status("/api/auth/sessions", { headers: s.bearer })).body.sessions;
    const current = list.find((x: { current: boolean }) => x.current);
    expect(current).toMatchObject({ address: member.address, ip: "127.0.0.1" });
    expect(list.every((x: { address: string }) => x.address === member.address)).toBe(true);
    const out = await f("/api/auth/logout", { method: "POST", headers: asCookie(s, origin()) });
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    expect((await status("/whoami", { headers: s.bearer })).body.code).toBe("token_auth_failed");
  });

  test("a revoked session stops working and its sockets close", async () => {
    const s = await signIn(f, member.wallet);
    const ws = await Pc2WsClient.connect(t.wsUrl, { headers: s.bearer });
    const closed = new Promise<[number, string]>((r) => ws.onClose((c, reason) => r([c, reason])));
    const id = (await status("/api/auth/sessions", { headers: s.bearer })).body.sessions.find((x: { current: boolean }) => x.current).id;
    // Another member cannot see or revoke it; the Owner can.
    expect((await status(`/api/auth/sessions/${id}`, { method: "DELETE", headers: admin.bearer })).body.code).toBe("session_not_found");
    expect((await status(`/api/auth/sessions/${id}`, { method: "DELETE", headers: owner.bearer })).body).toEqual({ revoked: true });
    expect(await closed).toEqual([WS_CLOSE.sessionEnded, "session ended"]);
    expect((await status("/whoami", { headers: s.bearer })).status).toBe(401);
    await expect(Pc2WsClient.connect(t.wsUrl, { headers: s.bearer })).rejects.toThrow();
  });

  test("an idle or expired session stops working", async () => {
    const s = await signIn(f, member.wallet);
    const db = new Database(join(t.dataDir, "pc2.db"));
    const id = (await status("/api/auth/sessions", { headers: s.bearer })).body.sessions.find((x: { current: boolean }) => x.current).id;
    db.query("UPDATE sessions SET last_seen_at = ? WHERE id = ?").run(Date.now() - 25 * 3_600_000, id);
    db.close();
    expect((await status("/whoami", { headers: s.bearer })).body.code).toBe("token_auth_failed");
  });
});

describe("API tokens", () => {
  test("created once from a session, stored hashed, used as Bearer, listed with last use, revoked", async () => {
    const created = await status("/api/tokens", {
      method: "POST",
      headers: { "content-type": "application/json", ...admin.bearer },
      body: JSON.stringify({ name: "backup script", scopes: ["files:read"], expiresInDays: 30 }),
    });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^pc2_[A-Za-z0-9_-]{43}$/);
    const token = created.body.token as string;
    const db = new Database(join(t.dataDir, "pc2.db"), { readonly: true });
    expect(JSON.stringify(db.query("SELECT * FROM api_tokens").all())).not.toContain(token.slice(4));
    db.close();

    const who = await status("/whoami", { headers: { authorization: `Bearer ${token}` } });
    expect(who.body).toMatchObject({ username: admin.address, role: "admin", is_user_token: false });
    const listed = (await status("/api/tokens", { headers: admin.bearer })).body.tokens;
    expect(listed[0]).toMatchObject({ id: created.body.id, name: "backup script", scopes: ["files:read"] });
    expect(listed[0].lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(token);

    const ws = await Pc2WsClient.connect(t.wsUrl, { headers: { authorization: `Bearer ${token}` } });
    const closed = new Promise<number>((r) => ws.onClose((c) => r(c)));
    expect((await status(`/api/tokens/${created.body.id}`, { method: "DELETE", headers: admin.bearer })).body).toEqual({ revoked: true });
    expect(await closed).toBe(WS_CLOSE.sessionEnded);
    expect((await status("/whoami", { headers: { authorization: `Bearer ${token}` } })).body.code).toBe("token_auth_failed");
  });

  test("a token never exceeds its creator's role, and cannot mint tokens", async () => {
    const post = (who: Record<string, string>, body: unknown) => status("/api/tokens", { method: "POST", headers: { "content-type": "application/json", ...who }, body: JSON.stringify(body) });
    expect((await post(member.bearer, { name: "x", scopes: ["wasm:run"] })).body.code).toBe("scope_exceeds_role");
    expect((await post(admin.bearer, { name: "x", scopes: ["admin"] })).body.code).toBe("scope_exceeds_role");
    const ok = await post(owner.bearer, { name: "automation", scopes: ["files:read", "admin"] });
    const tokenHeader = { authorization: `Bearer ${ok.body.token}` };
    expect((await post(tokenHeader, { name: "child", scopes: ["files:read"] })).body.code).toBe("session_required");
    expect((await status("/api/identity/phrase", { headers: tokenHeader })).body.code).toBe("session_required");
  });

  test("a token scope exceeded: an owner token without 'admin' cannot manage users", async () => {
    const created = await status("/api/tokens", { method: "POST", headers: { "content-type": "application/json", ...owner.bearer }, body: JSON.stringify({ name: "reader", scopes: ["files:read"] }) });
    const r = await status("/api/users", { headers: { authorization: `Bearer ${created.body.token}` } });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe("insufficient_scope");
  });

  test("bad token input", async () => {
    const post = (body: unknown) => status("/api/tokens", { method: "POST", headers: { "content-type": "application/json", ...owner.bearer }, body: JSON.stringify(body) });
    expect((await post({ name: "", scopes: ["files:read"] })).status).toBe(400);
    expect((await post({ name: "x", scopes: [] })).status).toBe(400);
    expect((await post({ name: "x", scopes: ["files:read", "files:read"] })).status).toBe(400);
    expect((await post({ name: "x", scopes: ["root"] })).status).toBe(400);
    expect((await post({ name: "x", scopes: ["files:read"], expiresInDays: 0 })).status).toBe(400);
    expect((await post({ name: "x\u0000", scopes: ["files:read"] })).status).toBe(400);
    expect((await status("/api/tokens/nope", { method: "DELETE", headers: owner.bearer })).body.code).toBe("token_not_found");
  });
});

describe("CSRF and CORS", () => {
  test("a cookie-authenticated change without Origin is refused; with a foreign Origin too", async () => {
    const s = await signIn(f, member.wallet);
    const none = await status("/api/auth/logout", { method: "POST", headers: asCookie(s) });
    expect(none.status).toBe(403);
    expect(none.body.code).toBe("csrf_origin_missing");
    const foreign = await status("/api/auth/logout", { method: "POST", headers: asCookie(s, { origin: "https://evil.example" }) });
    expect(foreign.body.code).toBe("csrf_origin_mismatch");
    const referer = await status("/api/auth/logout", { method: "POST", headers: asCookie(s, { referer: `${t.url}/` }) });
    expect(referer.status).toBe(200);
  });

  test("Bearer requests are exempt; GETs with a cookie need no Origin", async () => {
    const s = await signIn(f, member.wallet);
    expect((await status("/whoami", { headers: asCookie(s) })).status).toBe(200);
    expect((await status("/api/auth/logout", { method: "POST", headers: s.bearer })).status).toBe(200);
  });

  test("CORS is closed: no Access-Control-Allow-Origin, preflights are not granted", async () => {
    const pre = await f("/api/auth/login", { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } });
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    expect(pre.status).toBeGreaterThanOrEqual(400);
    const get = await f("/api/info", { headers: { origin: "https://evil.example" } });
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("a foreign page cannot open /ws with the user's cookie", async () => {
    const res = await f("/ws", {
      headers: { ...asCookie(owner), origin: "https://evil.example", upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" },
    });
    expect(res.status).toBe(403);
  });
});

describe("the recovery phrase (Owner, session only)", () => {
  test("shown to the Owner, confirmed with three words, then gone", async () => {
    expect((await status("/api/identity/phrase", { headers: admin.bearer })).status).toBe(403);
    const shown = await f("/api/identity/phrase", { headers: owner.bearer });
    expect(shown.headers.get("cache-control")).toBe("no-store");
    const { words } = await shown.json();
    expect(words.length).toBe(12);
    const confirm = (answers: unknown) =>
      status("/api/identity/phrase/confirm", { method: "POST", headers: { "content-type": "application/json", ...owner.bearer }, body: JSON.stringify({ answers }) });
    expect(
      (
        await confirm([
          { index: 1, word: "zzz" },
          { index: 2, word: words[1] },
          { index: 3, word: words[2] },
        ])
      ).body.code,
    ).toBe("phrase_mismatch");
    const ok = await confirm([
      { index: 2, word: words[1] },
      { index: 6, word: words[5] },
      { index: 11, word: words[10] },
    ]);
    expect(ok.body.phrasePending).toBe(false);
    expect((await status("/api/identity/phrase", { headers: owner.bearer })).body.code).toBe("phrase_erased");
    const audit = (await status("/api/audit", { headers: owner.bearer })).body.entries.map((e: { action: string }) => e.action);
    expect(audit).toContain("identity.phrase_revealed");
    expect(audit).toContain("identity.phrase_confirmed");
  });
});
