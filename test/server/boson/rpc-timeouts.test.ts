// Request timeouts in the DHT's RPC layer: a silent peer times out, but a stalled event loop (a GC
// pause, a burst of work on a busy node) does not make live peers look dead — their answers were
// sitting unread in the socket when the timers fired.
import { afterEach, expect, test } from "bun:test";
import { RpcServer, RpcTimeoutError } from "../../../server/boson/dht/rpc-server.ts";
import { KeyPair } from "../../../server/boson/keys.ts";

const servers: RpcServer[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop();
});

async function server(host: string, maxTimeoutMs = 3000): Promise<RpcServer> {
  const s = new RpcServer({ keys: KeyPair.random(), host, port: 0, maxTimeoutMs });
  s.handler = () => ({ method: "ping" });
  await s.start();
  servers.push(s);
  return s;
}

const contactOf = (s: RpcServer, host: string) => ({ id: s.localId, host, port: s.port });
const busy = (ms: number) => {
  const t = performance.now();
  while (performance.now() - t < ms) {}
};

test("a stalled event loop longer than the timeout does not fail requests to a peer that answers", async () => {
  const a = await server("127.0.9.1");
  const b = await server("127.0.9.2");
  for (let i = 0; i < 5; i++) await a.request(contactOf(b, "127.0.9.2"), { method: "ping" });
  expect(a.timeoutMs()).toBeLessThan(600);
  const answers = Array.from({ length: 8 }, () =>
    a.request(contactOf(b, "127.0.9.2"), { method: "ping" }).then(
      () => "answered",
      (e: Error) => e.message,
    ),
  );
  busy(a.timeoutMs() + 400);
  expect(await Promise.all(answers)).toEqual(Array(8).fill("answered"));
  expect(a.stats.timeouts).toBe(0);
  // The stalled round trips are not taken as the peer's: the timeout stays where it was.
  expect(a.timeoutMs()).toBeLessThan(600);
});

test("a peer that never answers still times out, after one wait when the loop is free", async () => {
  const a = await server("127.0.9.3");
  const gone = await server("127.0.9.4");
  const contact = contactOf(gone, "127.0.9.4");
  gone.stop();
  for (let i = 0; i < 3; i++) {
    const b = await server("127.0.9.5");
    await a.request(contactOf(b, "127.0.9.5"), { method: "ping" });
  }
  const wait = a.timeoutMs();
  const t = performance.now();
  const err = await a.request(contact, { method: "ping" }).catch((e) => e);
  const took = performance.now() - t;
  expect(err).toBeInstanceOf(RpcTimeoutError);
  expect(took).toBeGreaterThanOrEqual(wait - 5);
  expect(took).toBeLessThan(wait + 1000);
  expect(a.stats.timeouts).toBe(1);
});

test("a peer that never answers times out even if the loop stalls again and again", async () => {
  const a = await server("127.0.9.6", 300);
  const gone = await server("127.0.9.7");
  const contact = contactOf(gone, "127.0.9.7");
  gone.stop();
  const outcome = a.request(contact, { method: "ping" }).catch((e) => e);
  let settled = false;
  void outcome.then(() => (settled = true));
  const started = performance.now();
  // Stall the loop repeatedly, past every wait: the number of extensions is bounded.
  while (!settled && performance.now() - started < 10_000) {
    busy(a.timeoutMs() + 100);
    await Bun.sleep(1);
  }
  expect(await outcome).toBeInstanceOf(RpcTimeoutError);
});
