// The node's side of the Active Proxy against a hostile or broken super node: hundreds of
// connections answered with garbage, with a challenge then garbage, with frames of every type and
// random bodies (AUTH_ACK included), and a real session whose traffic is then mangled in flight.
// The node never crashes, never piles up connections, reports that it is failing, and comes back
// online as soon as the super node behaves.
import { afterAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import { ProxyClient } from "../../../server/boson/active-proxy/proxy-client.ts";
import { ProxyServer } from "../../../server/boson/active-proxy/proxy-server.ts";
import { challengeFrame, frame } from "../../../server/boson/active-proxy/v2-frames.ts";
import { KeyPair } from "../../../server/boson/keys.ts";

// Below the ephemeral range (32768+), where outgoing connections would take ports at random.
const RANGE_START = 24000 + Math.floor(Math.random() * 200) * 10;
const closers: (() => void)[] = [];
afterAll(() => {
  for (const c of closers.splice(0)) c();
});

let seed = 7;
const rand = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
const bytes = (n: number) => new Uint8Array(randomBytes(n));

/** What a broken super node may answer a new connection with. */
function hostileAnswer(): Uint8Array {
  const challenge = challengeFrame(bytes(32 + rand(200)));
  switch (rand(5)) {
    case 0:
      return bytes(1 + rand(600));
    case 1:
      return Buffer.concat([challenge, bytes(1 + rand(300))]);
    case 2:
      // Any type byte with a random body: AUTH/ATTACH ACKs that do not decrypt, DATA before AUTH, …
      return Buffer.concat([challenge, frame(rand(256), bytes(rand(400)))]);
    case 3:
      // Frame sizes that lie.
      return Buffer.concat([challenge, Uint8Array.of(rand(256), rand(256), rand(256)), bytes(rand(50))]);
    default:
      return Buffer.concat([challenge.subarray(0, rand(challenge.length))]);
  }
}

async function listen(handler: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  closers.push(() => server.close());
  return { server, port: (server.address() as { port: number }).port };
}

test("300 hostile answers: no crash, no pile of connections, 'failing' with a reason, retrying", async () => {
  let connections = 0;
  let open = 0;
  let maxOpen = 0;
  const { port } = await listen((s) => {
    connections++;
    maxOpen = Math.max(maxOpen, ++open);
    s.on("close", () => open--);
    s.on("error", () => {});
    s.on("data", () => {});
    s.write(hostileAnswer());
    // Some hang up at once, some leave the node to decide.
    if (rand(2) === 0) s.end();
    else setTimeout(() => s.destroy(), 200);
  });
  const client = new ProxyClient({ keys: KeyPair.random(), server: { id: KeyPair.random().id, host: "127.0.0.1", port }, upstream: { host: "127.0.0.1", port: 9 }, maxBackoffMs: 5 });
  const states = new Set<string>();
  client.onStatus = (s) => states.add(s.state);
  client.start();
  closers.push(() => client.stop());
  for (let i = 0; i < 600 && connections < 300; i++) await Bun.sleep(20);
  expect(connections).toBeGreaterThanOrEqual(300);
  expect(states.has("online")).toBe(false);
  expect(states.has("failing")).toBe(true);
  expect(client.tunnelCount).toBeLessThanOrEqual(1);
  expect(maxOpen).toBeLessThanOrEqual(3);
  client.stop();
}, 30_000);

test("a live session whose frames are mangled in flight: the node drops it, then comes back once the path is clean", async () => {
  const superKeys = KeyPair.random();
  const upstream = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("ok") });
  closers.push(() => upstream.stop(true));
  const proxy = new ProxyServer({ keys: superKeys, host: "127.0.0.1", port: 0, portRange: [RANGE_START, RANGE_START + 9], sessionLingerMs: 200, handshakeTimeoutMs: 500 });
  await proxy.start();
  closers.push(() => proxy.stop());
  // A man in the middle that, while `mangle` is on, flips bytes in what the super node sends after the first 400.
  let mangle = false;
  let flipped = 0;
  const { port } = await listen((down) => {
    const up = connect(proxy.port, "127.0.0.1");
    let seen = 0;
    up.on("data", (chunk: Buffer) => {
      const out = Buffer.from(chunk);
      if (mangle)
        for (let i = 0; i < out.length; i++)
          if (seen + i > 400 && rand(50) === 0) {
            out[i] = rand(256);
            flipped++;
          }
      seen += out.length;
      down.write(out);
    });
    down.on("data", (c: Buffer) => up.write(c));
    for (const [a, b] of [
      [up, down],
      [down, up],
    ] as const) {
      a.on("close", () => b.destroy());
      a.on("error", () => {});
    }
  });
  const client = new ProxyClient({
    keys: KeyPair.random(),
    server: { id: superKeys.id, host: "127.0.0.1", port },
    upstream: { host: "127.0.0.1", port: upstream.port! },
    maxBackoffMs: 50,
    spareTunnels: 2,
  });
  closers.push(() => client.stop());
  client.start();
  const waitOnline = async () => {
    for (let i = 0; i < 300 && client.status.state !== "online"; i++) await Bun.sleep(20);
    expect(client.status.state).toBe("online");
    return (client.status as { endpoint: string }).endpoint;
  };
  let endpoint = await waitOnline();
  expect(await (await fetch(`http://${endpoint}/`)).text()).toBe("ok");

  mangle = true;
  const answers = await Promise.all(
    Array.from({ length: 40 }, () =>
      fetch(`http://${endpoint}/`, { headers: { connection: "close" }, signal: AbortSignal.timeout(5000) }).then(
        (r) => r.text(),
        () => "failed",
      ),
    ),
  );
  expect(flipped).toBeGreaterThan(0);
  // Whatever got through is either the right answer or a failure, never something else.
  for (const a of answers) expect(["ok", "failed"]).toContain(a);
  mangle = false;
  for (let i = 0; i < 100; i++) {
    endpoint = await waitOnline();
    const r = await fetch(`http://${endpoint}/`, { headers: { connection: "close" }, signal: AbortSignal.timeout(2000) }).then(
      (x) => x.text(),
      () => "failed",
    );
    if (r === "ok") break;
    await Bun.sleep(50);
  }
  expect(await (await fetch(`http://${endpoint}/`, { headers: { connection: "close" } })).text()).toBe("ok");
  expect(client.tunnelCount).toBeLessThanOrEqual(16);
}, 60_000);
