// Functions at a host name of their own (<subdomain>.<PC2_FUNCTIONS_DOMAIN>) through a real node:
// the whole path space is the function's (the node's API and pages are not reachable there), no
// prefix, cookies at "/", private functions with a token, WebSockets; subdomains are one label,
// unique on the node, refused without a functions domain; unknown and deeper names get 404.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { opensslReads, sClient } from "../../helpers/openssl-certs.ts";
import { jsonRequest } from "../../helpers/send-json.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { addUser, claimOwner, httpFetcher, type Fetcher, type SignedIn } from "../../helpers/wallet-auth.ts";
import { converse } from "../../helpers/ws-transcript.ts";

const DOMAIN = "fn.test";
let t: TestNode;
let f: Fetcher;
let owner: SignedIn;
let admin: SignedIn;
let member: SignedIn;

const ECHO = `export default {
  fetch(req: Request) {
    const u = new URL(req.url);
    if (req.headers.get("upgrade") === "websocket") {
      const { socket, response } = Deno.upgradeWebSocket(req);
      socket.onmessage = (e) => (e.data === "bye" ? socket.close(4000, "bye") : socket.send("echo " + e.data));
      return response;
    }
    const h = Object.fromEntries(["host", "x-forwarded-host", "x-forwarded-prefix", "authorization", "cookie"].map((k) => [k, req.headers.get(k)]));
    return Response.json({ path: u.pathname, q: u.searchParams.get("q"), headers: h }, { headers: { "set-cookie": "seen=1; Path=/somewhere; HttpOnly" } });
  },
};`;

const patch = (who: SignedIn, name: string, body: unknown) => f(`/api/functions/${name}`, jsonRequest(who, "PATCH", body));
/** A request to this node with the given Host (as a browser at that name would send it). */
const at = (host: string, path = "/", init: RequestInit = {}) => fetch(`${t.url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), host } });

beforeAll(async () => {
  t = await startTestNode({ env: { PC2_FUNCTIONS_DOMAIN: DOMAIN } });
  f = httpFetcher(t.url);
  owner = await claimOwner(f, t.started.setup.code!);
  admin = await addUser(f, owner, "admin");
  member = await addUser(f, owner, "member");
  for (const [who, name, visibility] of [
    [owner, "echo", "public"],
    [owner, "secret", "private"],
    [admin, "other", "public"],
  ] as const) {
    const res = await f("/api/functions", jsonRequest(who, "POST", { name, visibility, files: [{ path: "main.ts", content: ECHO }] }));
    expect(res.status).toBe(201);
  }
});
afterAll(() => t.stop());

describe("a function at its own host name", () => {
  test("no function has the name yet: 404, as JSON", async () => {
    const res = await at(`echo.${DOMAIN}`, "/");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: "function_not_found" });
  });

  test("with a subdomain set, the function answers there with the path as sent, no prefix, and its cookies at /", async () => {
    const set = await patch(owner, "echo", { subdomain: "echo" });
    expect(set.status).toBe(200);
    expect((await set.json()).function).toMatchObject({ subdomain: "echo", host: `echo.${DOMAIN}`, url: `/fn/${owner.address}/echo/` });

    const res = await at(`echo.${DOMAIN}`, "/a/b?q=1", { headers: { "x-forwarded-prefix": "/forged" } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.path).toBe("/a/b");
    expect(body.q).toBe("1");
    expect(body.headers.host).toBe(`echo.${DOMAIN}`);
    expect(body.headers["x-forwarded-host"]).toBe(`echo.${DOMAIN}`);
    expect(body.headers["x-forwarded-prefix"]).toBeNull();
    expect(res.headers.get("set-cookie")).toBe("seen=1; Path=/; HttpOnly");
    expect(res.headers.get("content-security-policy")).toContain("sandbox");
    // The root too.
    expect((await (await at(`echo.${DOMAIN}:${t.started.port}`, "/")).json()).path).toBe("/");
  });

  test("every path there is the function's: the node's API, pages and socket are not reachable at a function's origin", async () => {
    for (const path of ["/api/info", "/health", "/", "/ws", `/fn/${owner.address}/echo/x`]) {
      const res = await at(`echo.${DOMAIN}`, path, { headers: member.bearer });
      expect(res.status).toBe(200);
      expect((await res.json()).path).toBe(path);
    }
  });

  test("a private function there needs a token of this node, which it never sees", async () => {
    expect((await patch(owner, "secret", { subdomain: "secret" })).status).toBe(200);
    const anonymous = await at(`secret.${DOMAIN}`, "/x");
    expect(anonymous.status).toBe(401);
    const res = await at(`secret.${DOMAIN}`, "/x", { headers: member.bearer });
    expect(res.status).toBe(200);
    expect((await res.json()).headers.authorization).toBeNull();
  });

  test("WebSockets reach the function's handler", async () => {
    const wsUrl = t.url.replace(/^http/, "ws");
    const talk = await converse(`${wsUrl}/chat`, ["hi", "bye"], { headers: { host: `echo.${DOMAIN}` } });
    expect(talk.received).toEqual(["echo hi"]);
    expect(talk.close).toEqual({ code: 4000, reason: "bye" });
  });

  test("names no function holds, deeper names and the bare domain are not served", async () => {
    for (const host of [`nobody.${DOMAIN}`, `x.echo.${DOMAIN}`]) {
      const res = await at(host, "/");
      expect(res.status).toBe(404);
      expect((await res.json()).code).toBe("function_not_found");
    }
    // The domain itself is not one of the node's names (only its subdomains are functions').
    expect((await at(DOMAIN, "/health")).status).toBe(421);
  });
});

describe("choosing a subdomain", () => {
  test("one label, lower case, no dash at either end", async () => {
    for (const subdomain of ["-bad", "bad-", "a.b", "UPPER", "", "x".repeat(64), "ünï"]) {
      const res = await patch(owner, "echo", { subdomain });
      expect(res.status).toBe(400);
    }
    expect((await patch(owner, "echo", { subdomain: "x".repeat(63) })).status).toBe(200);
    expect((await patch(owner, "echo", { subdomain: "echo" })).status).toBe(200);
  });

  test("unique on the node: another deployer's function cannot take it", async () => {
    const res = await patch(admin, "other", { subdomain: "echo" });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: "function_subdomain_taken", message: `Another function on this node answers at echo.${DOMAIN}` });
    // Still the Owner's function there.
    expect((await (await at(`echo.${DOMAIN}`, "/who")).json()).path).toBe("/who");
  });

  test("removing it (null) or deleting the function frees the name", async () => {
    expect((await patch(owner, "echo", { subdomain: null })).status).toBe(200);
    expect((await at(`echo.${DOMAIN}`, "/")).status).toBe(404);
    expect((await patch(admin, "other", { subdomain: "echo" })).status).toBe(200);
    expect((await (await at(`echo.${DOMAIN}`, "/mine")).json()).path).toBe("/mine");
    expect((await f("/api/functions/other", jsonRequest(admin, "DELETE"))).status).toBe(200);
    expect((await at(`echo.${DOMAIN}`, "/")).status).toBe(404);
    expect((await patch(owner, "echo", { subdomain: "echo" })).status).toBe(200);
  });

  test("a Member cannot set one (deploying is for the Owner and Admins)", async () => {
    expect((await patch(member, "echo", { subdomain: "mine" })).status).toBe(403);
  });
});

test("a node without a functions domain refuses a subdomain with the setting to change", async () => {
  const plain = await startTestNode();
  try {
    const pf = httpFetcher(plain.url);
    const who = await claimOwner(pf, plain.started.setup.code!);
    expect((await pf("/api/functions", jsonRequest(who, "POST", { name: "echo", visibility: "public", files: [{ path: "main.ts", content: ECHO }] }))).status).toBe(201);
    const res = await pf("/api/functions/echo", jsonRequest(who, "PATCH", { subdomain: "echo" }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "functions_domain_not_set" });
    const details = await (await pf("/api/functions/echo", jsonRequest(who, "GET"))).json();
    expect(details.function).toMatchObject({ subdomain: null, host: null });
    // And a Host under some domain is just an unknown name there.
    expect((await fetch(`${plain.url}/health`, { headers: { host: `echo.${DOMAIN}` } })).status).toBe(421);
  } finally {
    await plain.stop();
  }
});

test("over HTTPS, the node's self-signed certificate covers every function's host name", async () => {
  const secure = await startTestNode({ env: { PC2_TLS_MODE: "self-signed", PC2_FUNCTIONS_DOMAIN: DOMAIN } });
  try {
    const hs = await sClient("127.0.0.1", Number(new URL(secure.url).port), { serverName: `echo.${DOMAIN}` });
    expect(hs.ok).toBe(true);
    expect(opensslReads(hs.certPem!).names).toContain(`*.${DOMAIN}`);
  } finally {
    await secure.stop();
  }
});

test("a name the node has as its own stays the node's, even under the functions domain", async () => {
  const node = await startTestNode({ env: { PC2_FUNCTIONS_DOMAIN: DOMAIN, PC2_HOST_NAMES: `home.${DOMAIN}` } });
  try {
    const nf = httpFetcher(node.url);
    const who = await claimOwner(nf, node.started.setup.code!);
    expect((await nf("/api/functions", jsonRequest(who, "POST", { name: "home", visibility: "public", files: [{ path: "main.ts", content: ECHO }] }))).status).toBe(201);
    expect((await nf("/api/functions/home", jsonRequest(who, "PATCH", { subdomain: "home" }))).status).toBe(200);
    const res = await fetch(`${node.url}/api/info`, { headers: { host: `home.${DOMAIN}` } });
    expect(res.status).toBe(200);
    expect((await res.json()).path).toBeUndefined(); // the node's /api/info, not the function's echo
  } finally {
    await node.stop();
  }
});
