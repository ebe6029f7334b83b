// The name gateway end to end: a super node with a gateway for `pc2.test`, a PC2 node behind it that
// registers `alice` from its own API, and clients that reach the node at http://alice.pc2.test only
// through the gateway (Host-routed, relayed by the Active Proxy; WebSocket too). Refusals: names
// held by another node, releases by a stranger, forged and replayed claims, unknown and offline
// names, malformed requests, floods.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { KeyPair } from "../../../server/boson/keys.ts";
import { signClaim } from "../../../server/gateway/name-claims.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { addUser, challenge, claimOwner, type Fetcher, httpFetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

const RANGE = 28000 + Math.floor(Math.random() * 400) * 5;
let superNode: TestNode;
let node: TestNode;
let owner: SignedIn;
let gatewayPort: number;
let gateway: string;

async function waitFor<T>(what: () => Promise<T | null | undefined | false>, ms = 10_000): Promise<T> {
  for (const until = Date.now() + ms; Date.now() < until; await Bun.sleep(50)) {
    const v = await what();
    if (v) return v;
  }
  throw new Error("timed out");
}

/**
 * Requests to the gateway's port as a browser would send them for `host`. A browser pools
 * connections per host; fetch pools them per address, so each request here has its own connection.
 */
function viaHost(host: string): Fetcher {
  return (path, init) => fetch(`${gateway}${path}`, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), host, connection: "close" } });
}

/** One raw HTTP exchange (for heads fetch would not send). */
function raw(bytes: string | Uint8Array): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = connect(gatewayPort, "127.0.0.1", () => s.write(bytes));
    s.on("data", (c: Buffer) => chunks.push(c));
    s.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
    s.on("error", () => resolve(Buffer.concat(chunks).toString("latin1")));
  });
}

const post = (path: string, body: unknown) => fetch(`${gateway}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

beforeAll(async () => {
  superNode = await startTestNode({
    env: {
      PC2_NETWORK_MODE: "super",
      PC2_NETWORK_PROXY_PORT: "0",
      PC2_NETWORK_PROXY_PORTS: `${RANGE}-${RANGE + 4}`,
      PC2_NETWORK_DEVELOPMENT_MODE: "true",
      PC2_NETWORK_GATEWAY_DOMAIN: "pc2.test",
      PC2_NETWORK_GATEWAY_PORT: "0",
      PC2_NETWORK_GATEWAY_CLAIMS_PER_MINUTE: "100",
    },
  });
  const superOwner = await claimOwner(httpFetcher(superNode.url), superNode.started.setup.code!);
  const on = await (
    await fetch(`${superNode.url}/api/network/settings`, { method: "PUT", headers: { ...superOwner.bearer, "content-type": "application/json" }, body: JSON.stringify({ enabled: true }) })
  ).json();
  gatewayPort = on.relay.gateway.port;
  gateway = `http://127.0.0.1:${gatewayPort}`;
  node = await startTestNode({
    env: { PC2_NETWORK_SUPER_NODE: `${superNode.started.identity.nodeId}@127.0.0.1:${on.relay.server.port}`, PC2_NETWORK_DEVELOPMENT_MODE: "true", PC2_NETWORK_GATEWAY_URL: gateway },
  });
  owner = await claimOwner(httpFetcher(node.url), node.started.setup.code!);
  await fetch(`${node.url}/api/network/settings`, { method: "PUT", headers: { ...owner.bearer, "content-type": "application/json" }, body: JSON.stringify({ enabled: true }) });
  await waitFor(async () => (await (await fetch(`${node.url}/api/network/status`, { headers: owner.bearer })).json()).publicEndpoint);
}, 30_000);
afterAll(async () => {
  await node?.stop();
  await superNode?.stop();
});

const nodeApi = (path: string, init: RequestInit = {}) =>
  fetch(`${node.url}${path}`, { ...init, headers: { ...owner.bearer, "content-type": "application/json", ...Object.fromEntries(new Headers(init.headers)) } });

describe("a node takes a name and is reached by it", () => {
  test("availability, registration from the node's API, and the gateway's lookup", async () => {
    expect(await (await nodeApi("/api/network/name")).json()).toEqual({ configured: true, name: null, url: null, httpsUrl: null, error: null });
    expect(await (await nodeApi("/api/network/name/available?name=Alice")).json()).toEqual({ username: "alice", available: true });
    const r = await nodeApi("/api/network/name", { method: "PUT", body: JSON.stringify({ name: "Alice" }) });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ name: "alice", url: `http://alice.pc2.test:${gatewayPort}`, httpsUrl: null });
    const look = await (await fetch(`${gateway}/api/lookup/alice`)).json();
    expect(look).toMatchObject({ username: "alice", nodeId: node.started.identity.nodeId, online: true, url: `http://alice.pc2.test:${gatewayPort}` });
    expect(look.endpoint).toMatch(/^http:\/\/pc2\.test:\d+$/);
    expect(await (await fetch(`${gateway}/api/available?username=alice`)).json()).toEqual({ username: "alice", available: false });
    const status = await (await nodeApi("/api/network/status")).json();
    expect(status.publicName).toMatchObject({ name: "alice", url: `http://alice.pc2.test:${gatewayPort}` });
    expect(status.relay.gateway).toBeNull();
    const superStatus = await (await fetch(`${superNode.url}/api/network/status`, { headers: { host: "127.0.0.1" } })).status;
    expect(superStatus).toBe(401);
  });

  test("http://alice.pc2.test reaches the node: its API, sign-in with the name in the SIWE message, an invited member", async () => {
    const f = viaHost(`alice.pc2.test:${gatewayPort}`);
    const info = await (await f("/api/info")).json();
    expect(info.nodeId).toBe(node.started.identity.nodeId);
    const c = await challenge(f, "0x" + "34".repeat(20));
    expect(c.message).toContain(`alice.pc2.test:${gatewayPort}`);
    const member = await addUser(f, owner, "member");
    expect(await (await f("/whoami", { headers: member.bearer })).json()).toMatchObject({ address: member.address, role: "member" });
    // Relayed through the gateway, the node sees the browser's address as the relay reports it, never loopback.
    expect(node.logs.filter((l) => l.via === "relay" && l.msg === "http").every((l) => l.ip === "relay:127.0.0.1")).toBe(true);
  });

  test("a WebSocket through the name gets live events", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${gatewayPort}/ws`, {
      headers: { host: `alice.pc2.test:${gatewayPort}`, origin: `http://alice.pc2.test:${gatewayPort}`, authorization: owner.bearer.authorization! },
    } as unknown as string[]);
    const messages: Record<string, unknown>[] = [];
    ws.onmessage = (m) => messages.push(JSON.parse(String(m.data)));
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "network.status" }));
    const answer = await waitFor(async () => messages.find((m) => m.id === 1));
    expect(answer).toMatchObject({ result: { publicName: { name: "alice" } } });
    ws.close();
  });

  test("40 concurrent requests through the name all answer", async () => {
    const f = viaHost(`alice.pc2.test:${gatewayPort}`);
    const answers = await Promise.all(Array.from({ length: 40 }, () => f("/api/info").then((r) => r.json())));
    expect(answers.every((a) => a.nodeId === node.started.identity.nodeId)).toBe(true);
  }, 30_000);
});

describe("what the gateway refuses", () => {
  test("another node cannot take or release alice; a forged or unsigned claim is refused", async () => {
    const mallory = KeyPair.random();
    // Mallory has no relay session here: names route only to relayed nodes.
    expect(await (await post("/api/register", signClaim(mallory, "register", "mallory"))).json()).toMatchObject({ code: "not_relayed" });
    const release = await post("/api/release", signClaim(mallory, "release", "alice"));
    expect(release.status).toBe(403);
    expect((await release.json()).code).toBe("not_name_owner");
    // A claim in alice's node's name, signed by another key.
    const forged = { ...signClaim(mallory, "release", "alice"), nodeId: node.started.identity.nodeId };
    expect(await (await post("/api/release", forged)).json()).toMatchObject({ code: "invalid_signature" });
    // The deployed gateway's unsigned form.
    const unsigned = await post("/api/register", { username: "alice", nodeId: mallory.id.toString(), endpoint: "http://1.2.3.4:80" });
    expect(unsigned.status).toBe(400);
    expect((await unsigned.json()).code).toBe("invalid_claim");
    expect((await (await fetch(`${gateway}/api/lookup/alice`)).json()).nodeId).toBe(node.started.identity.nodeId);
  });

  test("bad names and bodies get clear errors", async () => {
    const e = async (r: Promise<Response>) => {
      const res = await r;
      return { status: res.status, ...(await res.json()) };
    };
    expect(await e(fetch(`${gateway}/api/available?username=ab`))).toMatchObject({ status: 400, code: "invalid_name" });
    expect(await e(fetch(`${gateway}/api/lookup/www`))).toMatchObject({ status: 400, code: "invalid_name" });
    expect(await e(fetch(`${gateway}/api/lookup/nobody`))).toMatchObject({ status: 404, code: "not_found" });
    expect(await e(fetch(`${gateway}/api/register`, { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" }))).toMatchObject({ status: 415 });
    expect(await e(fetch(`${gateway}/api/nothing`))).toMatchObject({ status: 404, code: "not_found" });
    expect(await e(nodeApi("/api/network/name", { method: "PUT", body: JSON.stringify({ name: "no way" }) }))).toMatchObject({ status: 400, code: "invalid_name" });
  });

  test("an unknown name answers 404, a malformed or oversized head 400/431, and nothing reaches a node", async () => {
    expect(await raw(`GET / HTTP/1.1\r\nHost: nobody.pc2.test\r\n\r\n`)).toStartWith("HTTP/1.1 404");
    expect(await raw(`GET / HTTP/1.1\r\nHost: alice.pc2.test\r\nHost: other.pc2.test\r\n\r\n`)).toStartWith("HTTP/1.1 400");
    expect(await raw(`NOT HTTP\r\n\r\n`)).toStartWith("HTTP/1.1 400");
    expect(await raw(`GET / HTTP/1.1\r\nHost: alice.pc2.test\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`)).toStartWith("HTTP/1.1 431");
  });

  test("members may read the name; only the Owner changes it", async () => {
    const member = await addUser(httpFetcher(node.url), owner, "member");
    expect((await fetch(`${node.url}/api/network/name`, { headers: member.bearer })).status).toBe(200);
    const put = await fetch(`${node.url}/api/network/name`, { method: "PUT", headers: { ...member.bearer, "content-type": "application/json" }, body: JSON.stringify({ name: "bob" }) });
    expect(put.status).toBe(403);
    expect((await fetch(`${node.url}/api/network/name`, { method: "DELETE", headers: member.bearer })).status).toBe(403);
  });
});

describe("changing and releasing", () => {
  test("a new name replaces the old; releasing frees it and the name stops routing", async () => {
    const r = await (await nodeApi("/api/network/name", { method: "PUT", body: JSON.stringify({ name: "alice-2" }) })).json();
    expect(r.name).toBe("alice-2");
    expect(await (await fetch(`${gateway}/api/available?username=alice`)).json()).toEqual({ username: "alice", available: true });
    expect((await (await viaHost(`alice-2.pc2.test:${gatewayPort}`)("/api/info")).json()).nodeId).toBe(node.started.identity.nodeId);
    const released = await nodeApi("/api/network/name", { method: "DELETE" });
    expect(await released.json()).toEqual({ configured: true, name: null, url: null, httpsUrl: null, error: null });
    expect(await raw(`GET / HTTP/1.1\r\nHost: alice-2.pc2.test\r\n\r\n`)).toStartWith("HTTP/1.1 404");
  });
});
