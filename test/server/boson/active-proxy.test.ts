// Active Proxy v2 end to end on loopback: our super node, our node's client, an HTTP server behind
// it, and outside clients reaching it only through the public port.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { connect } from "node:net";
import { KeyPair } from "../../../server/boson/keys.ts";
import { ProxyClient, type ProxyState } from "../../../server/boson/active-proxy/proxy-client.ts";
import { ProxyServer } from "../../../server/boson/active-proxy/proxy-server.ts";
import { challengeFrame, frame } from "../../../server/boson/active-proxy/v2-frames.ts";

const RANGE_START = 26000 + Math.floor(Math.random() * 500) * 10;
const superKeys = KeyPair.random();
const nodeKeys = KeyPair.random();
let server: ProxyServer;
let client: ProxyClient;
let upstream: ReturnType<typeof Bun.serve>;
let publicUrl: string;

async function waitFor<T>(what: () => T | null | undefined | false, ms = 5000): Promise<T> {
  for (const until = Date.now() + ms; Date.now() < until; await Bun.sleep(10)) {
    const v = what();
    if (v) return v;
  }
  throw new Error("timed out");
}

beforeAll(async () => {
  upstream = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname === "/echo") return new Response(req.body);
      if (url.pathname === "/big") return new Response(new Uint8Array(Number(url.searchParams.get("n"))).fill(7));
      return Response.json({ path: url.pathname, host: req.headers.get("host") });
    },
  });
  server = new ProxyServer({ keys: superKeys, host: "127.0.0.1", port: 0, portRange: [RANGE_START, RANGE_START + 9], sessionLingerMs: 200, handshakeTimeoutMs: 500 });
  await server.start();
  client = new ProxyClient({ keys: nodeKeys, server: { id: superKeys.id, host: "127.0.0.1", port: server.port }, upstream: { host: "127.0.0.1", port: upstream.port! }, spareTunnels: 2 });
  client.start();
  const online = await waitFor(() => (client.status.state === "online" ? client.status : null));
  publicUrl = `http://${online.endpoint}`;
});
afterAll(() => {
  client.stop();
  server.stop();
  upstream.stop(true);
});

describe("relaying through the super node", () => {
  test("the node gets a public port from the range and answers through it", async () => {
    expect(server.portOf(nodeKeys.id.toString())).toBe(Number(new URL(publicUrl).port));
    expect(Number(new URL(publicUrl).port)).toBeGreaterThanOrEqual(RANGE_START);
    const r = await fetch(`${publicUrl}/hello`);
    expect(await r.json()).toEqual({ path: "/hello", host: new URL(publicUrl).host });
  });

  test("a 20 MiB body goes up and comes back byte-identical (DATA chunked under the frame limit)", async () => {
    const body = new Uint8Array(randomBytes(20 * 1024 * 1024));
    const back = new Uint8Array(await (await fetch(`${publicUrl}/echo`, { method: "POST", body })).arrayBuffer());
    expect(back.length).toBe(body.length);
    expect(createHash("sha256").update(back).digest("hex")).toBe(createHash("sha256").update(body).digest("hex"));
    const big = new Uint8Array(await (await fetch(`${publicUrl}/big?n=${5 * 1024 * 1024}`)).arrayBuffer());
    expect(big.length).toBe(5 * 1024 * 1024);
    expect(big.every((b) => b === 7)).toBe(true);
  }, 60_000);

  test("30 concurrent requests: the pool grows, every answer is right", async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => fetch(`${publicUrl}/r${i}`, { headers: { connection: "close" } }).then((r) => r.json())));
    expect(answers.map((a) => a.path)).toEqual(Array.from({ length: 30 }, (_, i) => `/r${i}`));
    expect(client.tunnelCount).toBeGreaterThan(2);
    expect(client.tunnelCount).toBeLessThanOrEqual(16);
    expect(server.metrics.connectionsRelayed).toBeGreaterThanOrEqual(30);
  }, 30_000);
});

describe("what the super node refuses", () => {
  test("a node not on the allow-list, and a second AUTH for a live session", async () => {
    const strict = new ProxyServer({ keys: superKeys, host: "127.0.0.1", port: 0, portRange: [RANGE_START + 5, RANGE_START + 9], allow: (id) => id === "someone-else" });
    await strict.start();
    const states: ProxyState[] = [];
    const refused = new ProxyClient({ keys: nodeKeys, server: { id: superKeys.id, host: "127.0.0.1", port: strict.port }, upstream: { host: "127.0.0.1", port: upstream.port! } });
    refused.onStatus = (s) => void states.push(s);
    refused.start();
    await waitFor(() => states.some((s) => s.state === "failing"));
    refused.stop();
    strict.stop();
    expect(strict.metrics.refused).toBeGreaterThanOrEqual(1);
    expect(states.find((s) => s.state === "failing")).toMatchObject({ reason: expect.stringContaining("refused") });

    const twin = new ProxyClient({ keys: nodeKeys, server: { id: superKeys.id, host: "127.0.0.1", port: server.port }, upstream: { host: "127.0.0.1", port: upstream.port! } });
    const before = server.metrics.refused;
    twin.start();
    await waitFor(() => twin.status.state === "failing");
    twin.stop();
    expect(server.metrics.refused).toBe(before + 1);
    // The live session is untouched.
    expect((await fetch(`${publicUrl}/still`)).status).toBe(200);
  });

  test("garbage, a forged AUTH, and frames out of order close that connection and nothing else", async () => {
    const rawConn = (bytes: Uint8Array) =>
      new Promise<boolean>((resolve) => {
        const s = connect(server.port, "127.0.0.1", () => s.write(bytes));
        s.on("data", () => {});
        s.on("close", () => resolve(true));
        s.on("error", () => {});
        setTimeout(() => (s.destroy(), resolve(false)), 2000);
      });
    const sessions = server.metrics.sessions;
    expect(await rawConn(new Uint8Array(randomBytes(500)))).toBe(true);
    expect(await rawConn(frame(0x00, new Uint8Array(randomBytes(170))))).toBe(true); // AUTH that does not decrypt
    expect(await rawConn(frame(0x40, new Uint8Array(32)))).toBe(true); // DATA before AUTH
    expect(await rawConn(challengeFrame(new Uint8Array(32)))).toBe(true);
    expect(server.metrics.sessions).toBe(sessions);
    expect((await fetch(`${publicUrl}/after-garbage`)).status).toBe(200);
  });
});

describe("recovery", () => {
  test("when the super node restarts, the node reconnects (with backoff) and answers again", async () => {
    const port = server.port;
    server.stop();
    await waitFor(() => client.status.state === "failing");
    server = new ProxyServer({ keys: superKeys, host: "127.0.0.1", port, portRange: [RANGE_START, RANGE_START + 9], sessionLingerMs: 200, handshakeTimeoutMs: 500 });
    await server.start();
    const online = await waitFor(() => (client.status.state === "online" ? client.status : null), 15_000);
    expect((await fetch(`http://${online.endpoint}/back`)).status).toBe(200);
  }, 30_000);
});
