// The node answers only to its own names (a DNS-rebinding guard); origin checks compare the scheme
// too; X-Forwarded-* are believed only from a configured proxy.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { HostGuard, hostnameOf } from "../../server/http/host-guard.ts";
import { ProxyTrust } from "../../server/http/proxy-trust.ts";
import { startTestNode, type TestNode } from "../helpers/test-node.ts";
import { appFetcher, claimOwner, json, type SignedIn } from "../helpers/wallet-auth.ts";

/** A raw HTTP/1.1 request with exactly these headers (fetch would not let us set Host). */
function rawRequest(port: number, lines: string[], body = ""): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write([...lines, `Content-Length: ${Buffer.byteLength(body)}`, "Connection: close", "", body].join("\r\n")));
    let data = "";
    const done = () => {
      const [head, ...rest] = data.split("\r\n\r\n");
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head!)?.[1]), head: head!, body: rest.join("\r\n\r\n") });
    };
    socket.on("data", (d) => {
      data += d.toString();
      // An accepted upgrade keeps the socket open (it is a WebSocket now): its head is the answer.
      if (data.startsWith("HTTP/1.1 101 ") && data.includes("\r\n\r\n")) {
        socket.destroy();
        done();
      }
    });
    socket.on("end", done);
    socket.on("error", reject);
  });
}

describe("the names the node answers to", () => {
  let t: TestNode;
  beforeAll(async () => (t = await startTestNode({ env: { PC2_HOST_NAMES: "pc2.home.arpa,*.pc2.example.net" } })));
  afterAll(() => t.stop());

  test("a rebinding page's own name is refused with 421 on every route, before anything runs", async () => {
    const port = t.started.port;
    const address = "0x" + "ab".repeat(20);
    for (const host of ["evil.example", `evil.example:${port}`, "pc2.home.arpa.evil.example", "example.net", "localhost.evil.example", "10.99.99.99", "[2001:db8::1]"]) {
      const challenge = await rawRequest(port, ["POST /api/auth/challenge HTTP/1.1", `Host: ${host}`, "Content-Type: application/json"], JSON.stringify({ address }));
      expect([host, challenge.status, JSON.parse(challenge.body).code]).toEqual([host, 421, "unknown_host"]);
      expect([host, (await rawRequest(port, ["GET /health HTTP/1.1", `Host: ${host}`])).status]).toEqual([host, 421]);
      expect([host, (await rawRequest(port, ["GET / HTTP/1.1", `Host: ${host}`])).status]).toEqual([host, 421]);
      const ws = await rawRequest(port, ["GET /ws HTTP/1.1", `Host: ${host}`, "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]);
      expect([host, ws.status]).toEqual([host, 421]);
    }
  });

  test("loopback names and addresses, this machine's own addresses and host name, and configured names are answered", async () => {
    const port = t.started.port;
    const own = Object.values(networkInterfaces())
      .flatMap((l) => l ?? [])
      .map((i) => (i.family === "IPv6" ? `[${i.address.split("%")[0]}]` : i.address));
    const hosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, "app.localhost", "pc2.home.arpa", "PC2.Home.Arpa.", "nas.pc2.example.net", `${t.node.hosts.machineName}.local`, ...own];
    for (const host of hosts) expect([host, (await rawRequest(port, ["GET /health HTTP/1.1", `Host: ${host}`])).status]).toEqual([host, 200]);
  });

  test("a name added at run time (the public name, later) is answered from then on", async () => {
    const port = t.started.port;
    expect((await rawRequest(port, ["GET /health HTTP/1.1", "Host: alice.relay.example"])).status).toBe(421);
    t.node.hosts.allow("alice.relay.example");
    expect((await rawRequest(port, ["GET /health HTTP/1.1", "Host: alice.relay.example"])).status).toBe(200);
  });

  test("a name the node has by itself is told apart from one it answers only under a wildcard (a function's host)", () => {
    const guard = new HostGuard(["node.pc2.test", "*.fn.pc2.test"], "minipc");
    for (const own of ["node.pc2.test", "localhost", "minipc", "minipc.local"]) expect(guard.namesExactly(own)).toBe(true);
    expect(guard.allows("hello.fn.pc2.test")).toBe(true);
    expect(guard.namesExactly("hello.fn.pc2.test")).toBe(false);
    expect(guard.namesExactly("elsewhere.test")).toBe(false);
  });

  test("the parser: ports, brackets, a trailing dot; malformed hosts are refused", () => {
    expect(hostnameOf("Example.COM:443")).toBe("example.com");
    expect(hostnameOf("[::1]:80")).toBe("::1");
    expect(hostnameOf("a.b.")).toBe("a.b");
    for (const bad of ["", "a b", "[::1", "x:y:z", "user@host"]) expect(hostnameOf(bad) === null || !new HostGuard([]).allows(hostnameOf(bad)!)).toBe(true);
  });
});

describe("origins compare scheme, host and port", () => {
  let t: TestNode;
  let owner: SignedIn;
  beforeAll(async () => {
    t = await startTestNode();
    owner = await claimOwner(appFetcher(t.node.app), t.started.setup.code!);
  });
  afterAll(() => t.stop());

  test("a cookie change from https://same-host to an http node is cross-site (and the socket's Origin too)", async () => {
    const f = appFetcher(t.node.app);
    const cookie = { cookie: `pc2_session=${owner.cookie}` };
    const from = (origin: string) => f("/api/tokens", json({ name: "t", scopes: ["files:read"] }, { ...cookie, origin }));
    expect((await from("https://127.0.0.1:4200")).status).toBe(403);
    expect((await from("http://127.0.0.1:4201")).status).toBe(403);
    expect((await from("http://127.0.0.1:4200")).status).toBe(201);
    const port = t.started.port;
    const upgrade = (origin: string) =>
      rawRequest(port, [
        "GET /ws HTTP/1.1",
        `Host: 127.0.0.1:${port}`,
        `Origin: ${origin}`,
        `Cookie: pc2_session=${owner.cookie}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      ]);
    expect((await upgrade(`https://127.0.0.1:${port}`)).status).toBe(403);
    expect((await upgrade(`http://127.0.0.1:${port}`)).status).toBe(101);
  });
});

describe("a trusted reverse proxy", () => {
  test("X-Forwarded-For and -Proto are believed from a configured proxy only: client IP, Secure cookie, origin", async () => {
    const trust = new ProxyTrust(["127.0.0.1", "10.0.0.0/8"]);
    const headers = new Headers({ "x-forwarded-for": "198.51.100.7, 203.0.113.9, 10.1.2.3", "x-forwarded-proto": "https" });
    expect(trust.resolve("127.0.0.1", "http:", headers)).toEqual({ ip: "203.0.113.9", protocol: "https:" });
    expect(trust.resolve("::ffff:127.0.0.1", "http:", headers)).toEqual({ ip: "203.0.113.9", protocol: "https:" });
    expect(trust.resolve("192.0.2.1", "http:", headers)).toEqual({ ip: "192.0.2.1", protocol: "http:" });
    expect(trust.resolve("127.0.0.1", "http:", new Headers({ "x-forwarded-for": "not-an-ip" }))).toEqual({ ip: "127.0.0.1", protocol: "http:" });

    for (const [env, secure, ip] of [
      [{ PC2_TRUSTED_PROXIES: "127.0.0.1" }, true, "203.0.113.50"],
      [{}, false, "127.0.0.1"],
    ] as const) {
      const t = await startTestNode({ env });
      try {
        const port = t.started.port;
        const forwarded = [`Host: 127.0.0.1:${port}`, "X-Forwarded-For: 203.0.113.50", "X-Forwarded-Proto: https", "Content-Type: application/json"];
        const { Wallet } = await import("ethers");
        const wallet = Wallet.createRandom();
        const c = await rawRequest(port, ["POST /api/auth/challenge HTTP/1.1", ...forwarded], JSON.stringify({ address: wallet.address }));
        const { message } = JSON.parse(c.body);
        expect(message).toContain(secure ? `URI: https://127.0.0.1:${port}` : `URI: http://127.0.0.1:${port}`);
        const login = await rawRequest(
          port,
          ["POST /api/auth/login HTTP/1.1", ...forwarded],
          JSON.stringify({ message, signature: await wallet.signMessage(message), setupCode: t.started.setup.code }),
        );
        expect(login.status).toBe(200);
        expect(/set-cookie: [^\r\n]*; Secure/i.test(login.head)).toBe(secure);
        const token = JSON.parse(login.body).token;
        const audit = await (await fetch(`${t.url}/api/audit?action=auth.login`, { headers: { authorization: `Bearer ${token}` } })).json();
        expect(audit.entries[0].ip).toBe(ip);
      } finally {
        await t.stop();
      }
    }
  });
});
