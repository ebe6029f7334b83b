// The per-node bandwidth budget: a second's worth at once, then exactly the rate; and through a real
// relay, a node limited to 2 MiB/s takes at least that long to move its bytes, which arrive intact.
import { expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { ProxyClient } from "../../../server/boson/active-proxy/proxy-client.ts";
import { ProxyServer } from "../../../server/boson/active-proxy/proxy-server.ts";
import { ByteBudget } from "../../../server/boson/active-proxy/byte-budget.ts";
import { KeyPair } from "../../../server/boson/keys.ts";

test("one second's worth passes at once; beyond it, the wait is what the rate allows", () => {
  let now = 0;
  const b = new ByteBudget(1000, () => now);
  expect(b.take(1000)).toBe(0);
  expect(b.take(1)).toBe(1);
  expect(b.take(499)).toBe(500);
  now = 500; // half a second refills 500
  expect(b.take(0)).toBe(0);
  expect(b.take(1)).toBe(1);
  now = 10_000; // never more than the burst
  expect(b.take(1000)).toBe(0);
  expect(b.take(100)).toBe(100);
});

test("through the relay, a node limited to 2 MiB/s moves 6 MiB in about 2 s, not faster, byte-identical", async () => {
  const upstream = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => new Response(req.body) });
  const superKeys = KeyPair.random();
  const range = 22000 + Math.floor(Math.random() * 400) * 5;
  const server = new ProxyServer({ keys: superKeys, host: "127.0.0.1", port: 0, portRange: [range, range + 4], nodeBytesPerSecond: 2 * 1024 * 1024 });
  await server.start();
  const client = new ProxyClient({ keys: KeyPair.random(), server: { id: superKeys.id, host: "127.0.0.1", port: server.port }, upstream: { host: "127.0.0.1", port: upstream.port! } });
  client.start();
  try {
    while (client.status.state !== "online") await Bun.sleep(10);
    const body = new Uint8Array(randomBytes(3 * 1024 * 1024));
    const started = performance.now();
    const back = new Uint8Array(await (await fetch(`http://127.0.0.1:${client.status.port}/`, { method: "POST", body })).arrayBuffer());
    const seconds = (performance.now() - started) / 1000;
    // 3 MiB up + 3 MiB back = 6 MiB at 2 MiB/s with a 2 MiB burst: 2 s, less the last wait of each
    // direction (the budget pauses after the bytes that overdraw it). Unlimited, this takes ~0.2 s.
    expect(seconds).toBeGreaterThanOrEqual(1.5);
    expect(createHash("sha256").update(back).digest("hex")).toBe(createHash("sha256").update(body).digest("hex"));
  } finally {
    client.stop();
    server.stop();
    upstream.stop(true);
  }
}, 30_000);
