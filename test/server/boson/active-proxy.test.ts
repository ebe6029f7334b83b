// Active Proxy v2 end to end on loopback: our super node, our node's client, an HTTP server behind
// it, and outside clients reaching it only through the public port.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { connect, createServer } from "node:net";
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
/** The port cache as a super node saves it across restarts (JSON, as on disk). */
let savedPorts = "[]";
const portCacheStore = { load: () => JSON.parse(savedPorts), save: (e: unknown) => void (savedPorts = JSON.stringify(e)) };

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
  server = new ProxyServer({ keys: superKeys, host: "127.0.0.1", port: 0, portRange: [RANGE_START, RANGE_START + 9], sessionLingerMs: 200, handshakeTimeoutMs: 500, portCacheStore });
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

  test("ports in the range that another program holds are skipped; with none left the AUTH is refused and the super node goes on", async () => {
    const range = RANGE_START + 30;
    const squatter = createServer();
    await new Promise<void>((ok) => squatter.listen(range, "127.0.0.1", ok));
    const tight = new ProxyServer({ keys: superKeys, host: "127.0.0.1", port: 0, portRange: [range, range + 1], sessionLingerMs: 100 });
    await tight.start();
    const first = new ProxyClient({
      keys: KeyPair.random(),
      server: { id: superKeys.id, host: "127.0.0.1", port: tight.port },
      upstream: { host: "127.0.0.1", port: upstream.port! },
      maxBackoffMs: 50,
    });
    first.start();
    try {
      const online = await waitFor(() => (first.status.state === "online" ? first.status : null));
      // Told the one port the super node could bind, and reachable on it.
      expect(online.endpoint).toBe(`127.0.0.1:${range + 1}`);
      expect((await fetch(`http://${online.endpoint}/skipped`)).status).toBe(200);

      const second = new ProxyClient({ keys: KeyPair.random(), server: { id: superKeys.id, host: "127.0.0.1", port: tight.port }, upstream: { host: "127.0.0.1", port: upstream.port! } });
      const errors = tight.metrics.errors;
      second.start();
      await waitFor(() => second.status.state === "failing");
      second.stop();
      expect(tight.metrics.errors).toBeGreaterThan(errors);
      expect(tight.metrics.sessions).toBe(1);
      expect((await fetch(`http://${online.endpoint}/still`)).status).toBe(200);

      // The first node's port, kept for it while it is away, is taken meanwhile: it comes back on the other one.
      first.stop();
      await waitFor(() => tight.metrics.sessions === 0);
      await new Promise<void>((ok) => squatter.close(() => ok()));
      const thief = createServer();
      await new Promise<void>((ok) => thief.listen(range + 1, "127.0.0.1", ok));
      try {
        first.start();
        const back = await waitFor(() => (first.status.state === "online" ? first.status : null));
        expect(back.endpoint).toBe(`127.0.0.1:${range}`);
        expect((await fetch(`http://${back.endpoint}/moved`)).status).toBe(200);
      } finally {
        thief.close();
      }
    } finally {
      first.stop();
      tight.stop();
      squatter.close();
    }
  });

  test("a flood of connections to one node's port is cut at its limits; another node on the same super node answers throughout", async () => {
    const range = RANGE_START + 20;
    const small = new ProxyServer({ keys: superKeys, host: "127.0.0.1", port: 0, portRange: [range, range + 4], maxTunnelsPerNode: 2, maxQueuedPerNode: 4 });
    await small.start();
    // The flooded node's upstream never answers: every relayed connection holds its tunnel.
    const stuck = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Promise<Response>(() => {}) });
    const flooded = new ProxyClient({
      keys: KeyPair.random(),
      server: { id: superKeys.id, host: "127.0.0.1", port: small.port },
      upstream: { host: "127.0.0.1", port: stuck.port! },
      maxTunnels: 2,
      spareTunnels: 2,
    });
    const calm = new ProxyClient({ keys: KeyPair.random(), server: { id: superKeys.id, host: "127.0.0.1", port: small.port }, upstream: { host: "127.0.0.1", port: upstream.port! } });
    flooded.start();
    calm.start();
    try {
      const floodedPort = (await waitFor(() => (flooded.status.state === "online" ? flooded.status : null))).port;
      const calmUrl = `http://${(await waitFor(() => (calm.status.state === "online" ? calm.status : null))).endpoint}`;
      await waitFor(() => flooded.tunnelCount === 2 && small.metrics.tunnels >= 3);
      const sockets = Array.from({ length: 40 }, () => {
        const s = connect(floodedPort, "127.0.0.1", () => s.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        s.on("error", () => {});
        return s;
      });
      // At most 2 tunnels busy and 4 waiting: the other 34 are closed at once.
      await waitFor(() => small.metrics.refused >= 34);
      expect(small.metrics.refused).toBe(34);
      // The calm node has the same limits (2 tunnels, 4 waiting) and stays within them.
      for (let i = 0; i < 10; i++) expect((await (await fetch(`${calmUrl}/calm${i}`)).json()).path).toBe(`/calm${i}`);
      for (const s of sockets) s.destroy();
    } finally {
      flooded.stop();
      calm.stop();
      small.stop();
      stuck.stop(true);
    }
  }, 30_000);

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
  test("a tunnel cut mid-download: the download fails visibly, never short; the node comes back on its port and the retry is byte-identical", async () => {
    const n = 40 * 1024 * 1024;
    const port = server.port;
    const before = client.status.state === "online" ? client.status.port : -1;
    const reader = (await fetch(`${publicUrl}/big?n=${n}`)).body!.getReader();
    let received = 0;
    while (received < 1024 * 1024) received += (await reader.read()).value?.length ?? 0;
    server.stop(); // every tunnel and public connection goes
    const rest = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return "ended";
        received += value.length;
      }
    })();
    expect(await rest.catch(() => "failed")).toBe("failed");
    expect(received).toBeLessThan(n);
    await waitFor(() => client.status.state === "failing");
    server = new ProxyServer({ keys: superKeys, host: "127.0.0.1", port, portRange: [RANGE_START, RANGE_START + 9], sessionLingerMs: 200, handshakeTimeoutMs: 500, portCacheStore });
    await server.start();
    const online = await waitFor(() => (client.status.state === "online" ? client.status : null), 15_000);
    expect(online.port).toBe(before);
    const again = new Uint8Array(await (await fetch(`http://${online.endpoint}/big?n=${n}`)).arrayBuffer());
    expect(again.length).toBe(n);
    expect(again.every((b) => b === 7)).toBe(true);
  }, 60_000);

  test("when the super node restarts, the node reconnects (with backoff), gets its port back from the saved cache, and answers again", async () => {
    const port = server.port;
    const before = client.status.state === "online" ? client.status.port : -1;
    server.stop();
    expect(JSON.parse(savedPorts)).toContainEqual([nodeKeys.id.toString(), { port: before, until: expect.any(Number) }]);
    await waitFor(() => client.status.state === "failing");
    // Another node asks first: the cached port is not handed to it.
    server = new ProxyServer({ keys: superKeys, host: "127.0.0.1", port, portRange: [before, before + 1], sessionLingerMs: 200, handshakeTimeoutMs: 500, portCacheStore });
    await server.start();
    const other = new ProxyClient({ keys: KeyPair.random(), server: { id: superKeys.id, host: "127.0.0.1", port }, upstream: { host: "127.0.0.1", port: upstream.port! } });
    other.start();
    const otherOnline = await waitFor(() => (other.status.state === "online" ? other.status : null));
    expect(otherOnline.port).toBe(before + 1);
    const online = await waitFor(() => (client.status.state === "online" ? client.status : null), 15_000);
    expect(online.port).toBe(before);
    expect((await fetch(`http://${online.endpoint}/back`)).status).toBe(200);
    other.stop();
  }, 30_000);
});
