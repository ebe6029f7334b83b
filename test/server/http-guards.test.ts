// The request guards on their own, with Request objects and no node: where a credential may come
// from (and where not), the CSRF rule, what is known before the body is read, fail-closed routes,
// the role and scope decision with its messages, the session cookie's attributes, and the host
// guard's name rules. The routes' tests exercise these end to end; mutation testing (the roles
// group) needs each rule pinned where it is decided.
import { describe, expect, test } from "bun:test";
import { AuthGuard, type Authenticator, BODY_TOKEN_ROUTES, credentialOf, optionalPrincipalOf, principalOf } from "../../server/http/auth-guard.ts";
import { authorize } from "../../server/http/authorize.ts";
import { clearSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from "../../server/http/cookies.ts";
import { HostGuard, hostnameOf } from "../../server/http/host-guard.ts";
import { HTTP_ACCESS } from "../../server/http/roles.ts";
import { ROLE_SCOPES, type Principal, type Role, type Scope } from "../../server/principal.ts";

const NODE = "http://node.test";
const OWNER = `0x${"a".repeat(40)}`;
const MEMBER = `0x${"b".repeat(40)}`;

function session(address: string, role: Role): Principal {
  return { kind: "session", address, role, scopes: new Set(ROLE_SCOPES[role]), sessionId: `s-${address.slice(-2)}`, tokenId: null };
}
function token(address: string, role: Role, scopes: Scope[]): Principal {
  return { kind: "token", address, role, scopes: new Set(scopes), sessionId: null, tokenId: `t-${address.slice(-2)}` };
}

/** An authenticator that knows a few secrets, and counts how often it is asked. */
function authenticator(known: Record<string, Principal>) {
  const asked: string[] = [];
  const auth: Authenticator = { authenticate: (secret) => (asked.push(secret), known[secret] ?? null) };
  return { auth, asked };
}

const req = (method: string, path: string, headers: Record<string, string> = {}) => new Request(`${NODE}${path}`, { method, headers });
const caught = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as { status: number; code: string; message: string; headers?: Record<string, string> };
  }
  throw new Error("did not throw");
};

describe("where a credential comes from", () => {
  test("Bearer, any case, one token; anything else in Authorization is not a bearer token", () => {
    expect(credentialOf(req("GET", "/whoami", { authorization: "Bearer abc" }))).toEqual({ secret: "abc", via: "bearer" });
    expect(credentialOf(req("GET", "/whoami", { authorization: "bearer   abc" }))).toEqual({ secret: "abc", via: "bearer" });
    expect(credentialOf(req("GET", "/whoami", { authorization: "Bearer a b" }))).toBeNull();
    expect(credentialOf(req("GET", "/whoami", { authorization: "Token abc" }))).toBeNull();
  });

  test("HTTP Basic only for WebDAV, with the token as the password", () => {
    const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString("base64")}`;
    for (const path of ["/dav", "/dav/", "/dav/a/b", "/dav?x=1"]) expect(credentialOf(req("GET", path, { authorization: basic("me:tok") }))).toEqual({ secret: "tok", via: "basic" });
    expect(credentialOf(req("GET", "/dav", { authorization: basic(":tok") }))).toEqual({ secret: "tok", via: "basic" });
    expect(credentialOf(req("GET", "/dav", { authorization: basic("me:a:b") }))).toEqual({ secret: "a:b", via: "basic" });
    for (const path of ["/davx", "/api/files", "/x/dav/"]) expect(credentialOf(req("GET", path, { authorization: basic("me:tok") }))).toBeNull();
    // No password, or no colon at all: no credential.
    expect(credentialOf(req("GET", "/dav", { authorization: basic("me:") }))).toBeNull();
    expect(credentialOf(req("GET", "/dav", { authorization: basic("metok") }))).toBeNull();
  });

  test("the session cookie, among others; a cookie without a name is skipped", () => {
    expect(credentialOf(req("GET", "/whoami", { cookie: `theme=dark; ${SESSION_COOKIE}=xyz ; other=1` }))).toEqual({ secret: "xyz", via: "cookie" });
    expect(readCookie(req("GET", "/", { cookie: `=zzz; ${SESSION_COOKIE}=abc` }), SESSION_COOKIE)).toBe("abc");
    expect(readCookie(req("GET", "/", { cookie: `x${SESSION_COOKIE}=abc` }), SESSION_COOKIE)).toBeNull();
    expect(readCookie(req("GET", "/"), SESSION_COOKIE)).toBeNull();
    // A header credential comes before the cookie.
    expect(credentialOf(req("GET", "/whoami", { cookie: `${SESSION_COOKIE}=xyz`, authorization: "Bearer abc" }))?.via).toBe("bearer");
  });

  test("Puter's auth_token in the body, only on the SDK's routes, with or without 'Bearer '", () => {
    const r = req("POST", "/stat", { authorization: "Bearer header-token" });
    expect(credentialOf(r, { auth_token: "Bearer body-token" }, "/stat")).toEqual({ secret: "body-token", via: "body" });
    expect(credentialOf(r, { auth_token: "body-token" }, "/stat")).toEqual({ secret: "body-token", via: "body" });
    // Not a string, or not one of those routes: the body is not looked at.
    expect(credentialOf(r, { auth_token: 42 }, "/stat")?.via).toBe("bearer");
    expect(credentialOf(req("POST", "/api/files/write", { authorization: "Bearer h" }), { auth_token: "b" }, "/api/files/write")?.secret).toBe("h");
    // The route and the method both count.
    expect(credentialOf(req("GET", "/stat"), { auth_token: "b" }, "/stat")).toBeNull();
  });
});

describe("before the body is read", () => {
  const { auth, asked } = authenticator({ good: session(OWNER, "owner") });
  const guard = new AuthGuard(auth);

  test("a public route needs nothing (HEAD counts as GET)", () => {
    expect(guard.beforeBody(req("GET", "/api/info"), "/api/info")).toBe("public");
    expect(guard.beforeBody(req("HEAD", "/api/info"), "/api/info")).toBe("public");
  });

  test("a route that needs a sign-in: a good header credential is looked up once, then reused", () => {
    const r = req("GET", "/whoami", { authorization: "Bearer good" });
    asked.length = 0;
    expect(guard.beforeBody(r, "/whoami")).toBe("authenticated");
    guard.check(r, "/whoami", undefined);
    expect(asked).toEqual(["good"]);
    expect(principalOf(r).address).toBe(OWNER);
    // HEAD is checked as GET: it needs the sign-in too.
    expect(caught(() => guard.beforeBody(req("HEAD", "/whoami"), "/whoami")).status).toBe(401);
  });

  test("a bad credential is refused at once, with the reason", () => {
    const err = caught(() => guard.beforeBody(req("GET", "/whoami", { authorization: "Bearer bad" }), "/whoami"));
    expect(err).toMatchObject({ status: 401, code: "token_auth_failed", message: "The session or token is not valid (it may have expired or been revoked)" });
  });

  test("no credential: refused, unless the route may carry it in the body", () => {
    expect(caught(() => guard.beforeBody(req("GET", "/whoami"), "/whoami"))).toMatchObject({ status: 401, code: "token_missing" });
    expect(guard.beforeBody(req("POST", "/stat"), "/stat")).toBe("body-token");
  });

  test("WebDAV's refusals carry the Basic challenge; others do not", () => {
    const dav = caught(() => guard.beforeBody(req("PROPFIND", "/dav/"), "/dav/*"));
    expect(dav.headers?.["WWW-Authenticate"]).toBe('Basic realm="PC2 WebDAV (use an API token as the password)", charset="UTF-8"');
    const other = caught(() => guard.beforeBody(req("GET", "/whoami"), "/whoami"));
    expect(other.headers?.["WWW-Authenticate"]).toBeUndefined();
  });
});

describe("the check on a matched route", () => {
  const { auth } = authenticator({ owner: session(OWNER, "owner"), member: session(MEMBER, "member"), tok: token(OWNER, "owner", ["files:read"]) });
  const guard = new AuthGuard(auth);

  test("a route with no rule is refused, whoever asks (fail closed)", () => {
    expect(caught(() => guard.check(req("GET", "/nowhere", { authorization: "Bearer owner" }), "/nowhere", undefined))).toMatchObject({
      code: "no_access_rule",
      message: "No access rule is defined for GET /nowhere",
    });
  });

  test("a public route: a bad credential is ignored, a good one makes the caller known", () => {
    const anonymous = req("GET", "/api/info", { authorization: "Bearer nobody" });
    guard.check(anonymous, "/api/info", undefined);
    expect(optionalPrincipalOf(anonymous)).toBeNull();
    expect(caught(() => principalOf(anonymous))).toMatchObject({ status: 401 });
    const known = req("GET", "/api/info", { authorization: "Bearer member" });
    guard.check(known, "/api/info", undefined);
    expect(optionalPrincipalOf(known)?.address).toBe(MEMBER);
  });

  test("a change made with the cookie must come from the node's own page; a token's need not", () => {
    const cookie = { cookie: `${SESSION_COOKIE}=member` };
    const route = "/api/auth/logout";
    expect(caught(() => guard.check(req("POST", route, cookie), route, undefined))).toMatchObject({
      status: 403,
      code: "csrf_origin_missing",
      message: "A cookie-authenticated change must send an Origin header",
    });
    expect(caught(() => guard.check(req("POST", route, { ...cookie, origin: "https://evil.test" }), route, undefined))).toMatchObject({
      code: "csrf_origin_mismatch",
      message: "This request came from another site",
    });
    expect(caught(() => guard.check(req("POST", route, { ...cookie, origin: "not a url" }), route, undefined))).toMatchObject({
      code: "csrf_origin_mismatch",
      message: "The Origin header is malformed",
    });
    guard.check(req("POST", route, { ...cookie, origin: NODE }), route, undefined);
    // Without Origin, the Referer is the source.
    guard.check(req("POST", route, { ...cookie, referer: `${NODE}/some/page` }), route, undefined);
    expect(caught(() => guard.check(req("POST", route, { ...cookie, referer: "https://evil.test/x" }), route, undefined)).code).toBe("csrf_origin_mismatch");
    // Reading with the cookie needs no Origin; a Bearer change neither.
    guard.check(req("GET", "/whoami", cookie), "/whoami", undefined);
    guard.check(req("POST", route, { authorization: "Bearer member" }), route, undefined);
  });

  test("on a route that needs a sign-in: a bad credential and none are refused differently", () => {
    expect(caught(() => guard.check(req("GET", "/whoami", { authorization: "Bearer bad" }), "/whoami", undefined))).toMatchObject({ code: "token_auth_failed" });
    expect(caught(() => guard.check(req("GET", "/whoami"), "/whoami", undefined))).toMatchObject({ code: "token_missing" });
  });

  test("the WebSocket handshake: a cookie or Bearer, else 401", () => {
    expect(guard.authenticateUpgrade(req("GET", "/ws", { cookie: `${SESSION_COOKIE}=owner` })).address).toBe(OWNER);
    expect(caught(() => guard.authenticateUpgrade(req("GET", "/ws")))).toMatchObject({ status: 401, code: "token_missing" });
    expect(caught(() => guard.authenticateUpgrade(req("GET", "/ws", { authorization: "Bearer bad" })))).toMatchObject({ status: 401, code: "token_auth_failed" });
  });
});

describe("the edges of each rule", () => {
  const { auth } = authenticator({
    owner: session(OWNER, "owner"),
    member: session(MEMBER, "member"),
    davtok: token(OWNER, "owner", ["files:read", "files:write"]),
    bodytok: token(MEMBER, "member", ["files:read"]),
  });
  const guard = new AuthGuard(auth);
  const basic = (userPass: string) => Buffer.from(userPass).toString("base64");

  test("the body-token routes are exactly Puter's file and driver calls", () => {
    expect([...BODY_TOKEN_ROUTES].sort()).toEqual([
      "POST /copy",
      "POST /delete",
      "POST /df",
      "POST /drivers/call",
      "POST /fs/readdir",
      "POST /mkdir",
      "POST /move",
      "POST /readdir",
      "POST /rename",
      "POST /search",
      "POST /stat",
    ]);
  });

  test("Authorization must start with the scheme: a scheme named later in the header is no credential", () => {
    expect(credentialOf(req("GET", "/whoami", { authorization: "NotBearer abc" }))).toBeNull();
    expect(credentialOf(req("GET", "/dav/", { authorization: `NotBasic ${basic("me:tok")}` }))).toBeNull();
    // Basic: one run of base64 and nothing after it; any amount of space after the scheme.
    expect(credentialOf(req("GET", "/dav/", { authorization: `Basic ${basic("me:tok")} trailing` }))).toBeNull();
    expect(credentialOf(req("GET", "/dav/", { authorization: `Basic   ${basic("me:tok")}` }))).toEqual({ secret: "tok", via: "basic" });
  });

  test("a URL that merely mentions /dav in its query is not a WebDAV path", () => {
    expect(credentialOf(req("GET", `/whoami?next=${encodeURIComponent("x")}&u=http://a/dav`, { authorization: `Basic ${basic("me:tok")}` }))).toBeNull();
    expect(credentialOf(req("GET", "/api/files?u=http://a/dav/", { authorization: `Basic ${basic("me:tok")}` }))).toBeNull();
  });

  test("a body token: a body that is null or not an object is ignored; only a leading 'Bearer ' is taken off", () => {
    const r = req("POST", "/stat", { cookie: `${SESSION_COOKIE}=member` });
    expect(credentialOf(r, null, "/stat")).toEqual({ secret: "member", via: "cookie" });
    expect(credentialOf(r, "auth_token", "/stat")).toEqual({ secret: "member", via: "cookie" });
    expect(credentialOf(r, { auth_token: "Bearer    spaced" }, "/stat")).toEqual({ secret: "spaced", via: "body" });
    expect(credentialOf(r, { auth_token: "pc2_x Bearer y" }, "/stat")).toEqual({ secret: "pc2_x Bearer y", via: "body" });
  });

  test("a body token wins over a header credential on its routes, before and after the body is read", () => {
    const r = req("POST", "/stat", { authorization: "Bearer owner" });
    expect(guard.beforeBody(r, "/stat")).toBe("authenticated");
    guard.check(r, "/stat", { auth_token: "bodytok" });
    expect(principalOf(r).address).toBe(MEMBER);
    expect(principalOf(r).kind).toBe("token");
  });

  test("HEAD and OPTIONS with the cookie are reads: no Origin needed; HEAD is checked as GET on a matched route too", () => {
    const cookie = { cookie: `${SESSION_COOKIE}=owner` };
    guard.check(req("HEAD", "/dav/a", cookie), "/dav/*", undefined);
    guard.check(req("OPTIONS", "/dav/a", cookie), "/dav/*", undefined);
    const head = req("HEAD", "/whoami", cookie);
    guard.check(head, "/whoami", undefined);
    expect(principalOf(head).address).toBe(OWNER);
    // A change with the cookie still needs it.
    expect(caught(() => guard.check(req("PUT", "/dav/a", cookie), "/dav/*", undefined)).code).toBe("csrf_origin_missing");
  });

  test("on a matched route, WebDAV's refusals carry the Basic challenge, with the reason", () => {
    const none = caught(() => guard.check(req("PROPFIND", "/dav/"), "/dav/*", undefined));
    expect(none).toMatchObject({ status: 401, code: "token_missing" });
    expect(none.headers?.["WWW-Authenticate"]).toStartWith("Basic realm=");
    const bad = caught(() => guard.check(req("PROPFIND", "/dav/", { authorization: `Basic ${basic("me:wrong")}` }), "/dav/*", undefined));
    expect(bad).toMatchObject({ status: 401, code: "token_auth_failed", message: "The session or token is not valid (it may have expired or been revoked)" });
    expect(bad.headers?.["WWW-Authenticate"]).toStartWith("Basic realm=");
    guard.check(req("PROPFIND", "/dav/", { authorization: `Basic ${basic("me:davtok")}` }), "/dav/*", undefined);
  });

  test("the handshake names why a credential failed", () => {
    expect(caught(() => guard.authenticateUpgrade(req("GET", "/ws", { authorization: "Bearer nope" })))).toMatchObject({
      message: "The session or token is not valid (it may have expired or been revoked)",
    });
  });

  test("a cookie header part without '=' is not the session cookie", () => {
    expect(readCookie(req("GET", "/", { cookie: `${SESSION_COOKIE}x` }), SESSION_COOKIE)).toBeNull();
    expect(readCookie(req("GET", "/", { cookie: `${SESSION_COOKIE}x; other=1` }), SESSION_COOKIE)).toBeNull();
  });
});

describe("the decision: role, then (for a token) scope", () => {
  const users = HTTP_ACCESS["GET /api/users"]!;
  const sessions = HTTP_ACCESS["GET /api/auth/sessions"]!;
  const metrics = HTTP_ACCESS["GET /metrics"]!;

  test("the role's rank, with a message that names both roles", () => {
    expect(caught(() => authorize(users, session(MEMBER, "member"), "GET /api/users"))).toMatchObject({
      status: 403,
      code: "insufficient_role",
      message: "This needs the owner role; you are a member",
    });
    expect(caught(() => authorize(users, session(MEMBER, "admin"), "GET /api/users")).message).toBe("This needs the owner role; you are an admin");
    authorize(users, session(OWNER, "owner"), "GET /api/users");
    expect(caught(() => authorize(users, null, "GET /api/users"))).toMatchObject({ status: 401 });
    authorize(HTTP_ACCESS["GET /api/info"], null, "GET /api/info");
  });

  test("a token: never where the table names no scopes; elsewhere it needs one of them", () => {
    expect(caught(() => authorize(sessions, token(OWNER, "owner", ["admin"]), "GET /api/auth/sessions"))).toMatchObject({
      code: "session_required",
      message: "API tokens cannot do this; sign in with your wallet",
    });
    expect(caught(() => authorize(metrics, token(OWNER, "owner", ["files:read"]), "GET /metrics"))).toMatchObject({
      code: "insufficient_scope",
      message: 'This token needs the "admin" or "metrics" scope',
    });
    authorize(metrics, token(OWNER, "owner", ["metrics"]), "GET /metrics");
    authorize(metrics, token(OWNER, "owner", ["admin"]), "GET /metrics");
    // The role comes first, even for a token with the scope.
    expect(caught(() => authorize(metrics, token(MEMBER, "member", ["metrics"]), "GET /metrics")).code).toBe("insufficient_role");
  });
});

describe("the session cookie", () => {
  test("HttpOnly, SameSite=Strict, Path=/, its lifetime; Secure over HTTPS only; cleared with Max-Age=0", () => {
    expect(sessionCookie(new Request("http://node.test/"), "t0k", 3600)).toBe(`${SESSION_COOKIE}=t0k; HttpOnly; SameSite=Strict; Path=/; Max-Age=3600`);
    expect(sessionCookie(new Request("https://node.test/"), "t0k", 60)).toBe(`${SESSION_COOKIE}=t0k; HttpOnly; SameSite=Strict; Path=/; Max-Age=60; Secure`);
    expect(clearSessionCookie(new Request("https://node.test/"))).toBe(`${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure`);
  });
});

describe("the host guard's names", () => {
  const guard = new HostGuard(["pc2.example.com", "*.fn.example.com", "192.0.2.7", "2001:db8::7"], "mini");

  test("exact names, subdomains of a wildcard (not the domain itself, nor a longer name ending the same)", () => {
    expect(guard.allows("pc2.example.com")).toBe(true);
    expect(guard.allows("a.pc2.example.com")).toBe(false);
    expect(guard.allows("hello.fn.example.com")).toBe(true);
    expect(guard.allows("a.b.fn.example.com")).toBe(true);
    expect(guard.allows("fn.example.com")).toBe(false);
    expect(guard.allows("xfn.example.com")).toBe(false);
    expect(guard.allows("evil.test")).toBe(false);
  });

  test("the machine's own names and localhost, always", () => {
    for (const name of ["localhost", "mini", "mini.local", "app.localhost"]) expect(guard.allows(name)).toBe(true);
    expect(guard.allows("mini.lan")).toBe(false);
  });

  test("addresses: loopback always, configured ones in any spelling", () => {
    for (const address of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "192.0.2.7", "::ffff:192.0.2.7", "2001:db8:0::7"]) expect(guard.allows(address)).toBe(true);
    for (const address of ["192.0.2.8", "2001:db8::8", "203.0.113.1"]) expect(guard.allows(address)).toBe(false);
  });

  test("configured and added names are case- and trailing-dot-insensitive; a wildcard added later works", () => {
    const g = new HostGuard(["Upper.Example.COM."], "mini");
    expect(g.allows("upper.example.com")).toBe(true);
    g.allow("*.Later.Example.");
    expect(g.allows("x.later.example")).toBe(true);
  });

  test("the Host header is one name and an optional port, whole: nothing before it or after it smuggles a name in", () => {
    for (const host of ["evil.test:localhost", "evil.test localhost", "localhost:80evil", "localhost:123456", "[::1]evil", "x[::1]"]) {
      expect([host, hostnameOf(host)]).not.toEqual([host, "localhost"]);
      expect([host, caught(() => guard.check(new Request("http://x/", { headers: { host } }))).status]).toEqual([host, 421]);
    }
    expect(hostnameOf(" pc2.example.com:4200 ")).toBe("pc2.example.com");
    expect(hostnameOf("[::1]:4200")).toBe("::1");
  });

  test("a wildcard's bare suffix (a name starting with a dot) is not one of its subdomains", () => {
    expect(guard.allows(".fn.example.com")).toBe(false);
    expect(caught(() => guard.check(new Request("http://x/", { headers: { host: ".fn.example.com" } }))).status).toBe(421);
  });

  test("a refused Host is named in the error, cut at 100 characters", () => {
    const long = `${"a".repeat(150)}.test`;
    const err = caught(() => guard.check(new Request("http://x/", { headers: { host: long } })));
    expect(err).toMatchObject({ status: 421, code: "unknown_host" });
    expect(err.message).toBe(`This node does not answer to ${JSON.stringify(long.slice(0, 100))}; its owner can add the name to PC2_HOST_NAMES`);
    guard.check(new Request("http://x/", { headers: { host: "pc2.example.com:4200" } }));
  });
});
