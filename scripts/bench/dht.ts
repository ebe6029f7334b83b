// DHT benchmark: look-up rounds and latency against network size (10, 100, 1,000 nodes on loopback
// in this process), how many find_node requests one node answers per second, memory per routing
// entry, and a PC2 node's /health p99 while its DHT answers 1,000 look-up requests a second.
// Baselines measured in the same run: a plain UDP echo (round trip and rate), and /health idle.
// `--write` records docs/performance.md. BENCH_SIZES=10,100 to skip the 1,000-node network.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BosonNode } from "../../server/boson/boson-node.ts";
import { Id } from "../../server/boson/id.ts";
import { KeyPair } from "../../server/boson/keys.ts";
import { type AbuseLimits, REFERENCE_ABUSE_LIMITS } from "../../server/boson/dht/abuse-guard.ts";
import { RoutingTable } from "../../server/boson/dht/routing-table.ts";
import { DatagramCodec } from "../../server/boson/v2/datagram.ts";
import { PC2_VERSION } from "../../server/boson/v2/messages.ts";
import { signIn, startNode } from "./bench-node.ts";
import { writeSection } from "./sections.ts";

const SIZES = (process.env.BENCH_SIZES ?? "10,100,1000").split(",").map(Number);
const LIMITS: AbuseLimits = { ...REFERENCE_ABUSE_LIMITS, packetsPerSecond: 1e6, burst: 1e6 };
const host = (i: number) => `127.${10 + Math.floor(i / 62500)}.${Math.floor(i / 250) % 250}.${1 + (i % 250)}`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const round1 = (x: number) => Math.round(x * 10) / 10;

async function network(n: number): Promise<BosonNode[]> {
  const nodes: BosonNode[] = [];
  for (let i = 0; i < n; i++) {
    const node = new BosonNode({
      keys: KeyPair.random(),
      port: 0,
      ipv4: host(i),
      bootstrap: i ? [nodes[0]!.dhts[0]!.contact] : [],
      maxRecords: 64,
      developmentMode: true,
      abuseLimits: LIMITS,
      maxTimeoutMs: 2000,
      maintain: false,
    });
    await node.start();
    nodes.push(node);
  }
  for (let pass = 0; pass < 2; pass++) for (let i = pass ? 0 : 1; i < n; i += 20) await Promise.all(nodes.slice(i, i + 20).map((x) => x.bootstrap()));
  return nodes;
}

async function udpEcho(count: number): Promise<{ rttMs: number; perSecond: number }> {
  const server = await Bun.udpSocket({ hostname: "127.0.0.1", port: 0, socket: { data: (s, d, port, addr) => void s.send(d, port, addr) } });
  let resolve = () => {};
  const client = await Bun.udpSocket({ hostname: "127.0.0.1", port: 0, socket: { data: () => resolve() } });
  const rtts: number[] = [];
  const payload = new Uint8Array(200);
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await new Promise<void>((r) => {
      resolve = r;
      client.send(payload, server.port, "127.0.0.1");
    });
    rtts.push(performance.now() - t);
  }
  const started = performance.now();
  for (let i = 0; i < count; i++)
    await new Promise<void>((r) => {
      resolve = r;
      client.send(payload, server.port, "127.0.0.1");
    });
  const perSecond = count / ((performance.now() - started) / 1000);
  server.close();
  client.close();
  return { rttMs: pct(rtts, 0.5), perSecond };
}

async function lookups(n: number) {
  const nodes = await network(n);
  const rounds: number[] = [];
  const ms: number[] = [];
  let found = 0;
  const tries = 200;
  for (let i = 0; i < tries; i++) {
    const from = nodes[(i * 7919) % n]!;
    const target = nodes[(i * 104729 + 13) % n]!.id;
    const t = performance.now();
    const r = await from.dhts[0]!.findNodes(target);
    ms.push(performance.now() - t);
    rounds.push(r.rounds);
    if (r.closest[0]?.contact.id.equals(target) || from.id.equals(target)) found++;
  }
  const tableSizes = nodes.map((x) => x.dhts[0]!.table.size);
  for (const x of nodes) x.stop();
  return { n, found, tries, roundsMedian: pct(rounds, 0.5), roundsMax: Math.max(...rounds), msMedian: pct(ms, 0.5), msP90: pct(ms, 0.9), table: pct(tableSizes, 0.5) };
}

/** find_node requests one node answers per second, from 20 clients keeping 8 requests each in flight. */
async function served(seconds: number): Promise<number> {
  const target = new BosonNode({ keys: KeyPair.random(), port: 0, ipv4: "127.1.0.1", bootstrap: [], maxRecords: 64, developmentMode: true, abuseLimits: LIMITS, maintain: false });
  await target.start();
  const clients = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const c = new BosonNode({
        keys: KeyPair.random(),
        port: 0,
        ipv4: `127.1.1.${i + 1}`,
        bootstrap: [],
        maxRecords: 64,
        developmentMode: true,
        abuseLimits: LIMITS,
        maxTimeoutMs: 2000,
        maintain: false,
      });
      await c.start();
      return c;
    }),
  );
  const contact = target.dhts[0]!.contact;
  let answered = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    clients.flatMap((c) =>
      Array.from({ length: 8 }, async () => {
        while (performance.now() < until) {
          await c.dhts[0]!.rpc.request(contact, { method: "find_node", target: Id.random(), want: { ipv4: true, ipv6: false, token: true } }).then(
            () => answered++,
            () => {},
          );
        }
      }),
    ),
  );
  target.stop();
  for (const c of clients) c.stop();
  return answered / seconds;
}

function memoryPerThousandEntries(): number {
  Bun.gc(true);
  const before = process.memoryUsage().heapUsed;
  const tables: RoutingTable[] = [];
  let entries = 0;
  for (let t = 0; t < 50; t++) {
    const table = new RoutingTable(Id.random());
    for (let i = 0; i < 2000; i++) table.put({ id: Id.random(), host: `203.0.113.${i % 250}`, port: 39001 }, true);
    entries += table.size;
    tables.push(table);
  }
  Bun.gc(true);
  const bytes = process.memoryUsage().heapUsed - before;
  if (tables.length === 0) throw new Error("unreachable");
  return (bytes / entries) * 1000;
}

/** /health p99 of a PC2 node idle, then while its DHT gets `rate` find_node requests a second. */
async function healthUnderLoad(rate: number, seconds: number): Promise<{ idle: number; loaded: number; answered: number }> {
  const dir = mkdtempSync(join(tmpdir(), "pc2-bench-dht-"));
  const node = await startNode(dir, { PC2_NETWORK_BOOTSTRAP: "none", PC2_NETWORK_IPV4: "127.0.0.1", PC2_NETWORK_PORT: "0", PC2_NETWORK_DEVELOPMENT_MODE: "true" });
  try {
    const auth = await signIn(node.url, node.code);
    const status = await (await fetch(`${node.url}/api/network/settings`, { method: "PUT", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ enabled: true }) })).json();
    const nodeId = Id.parse(status.nodeId);
    const port = status.udpPort as number;
    const health = async (count: number) => {
      const xs: number[] = [];
      for (let i = 0; i < count; i++) {
        const t = performance.now();
        await (await fetch(`${node.url}/health`)).arrayBuffer();
        xs.push(performance.now() - t);
        await Bun.sleep(5);
      }
      return pct(xs, 0.99);
    };
    const idle = await health(400);
    // Many senders (one address each, as on the Internet: the per-address throttle stays out of the way).
    let answered = 0;
    const senders = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const keys = KeyPair.random();
        const codec = new DatagramCodec(keys);
        const socket = await Bun.udpSocket({ hostname: `127.2.0.${i + 1}`, port: 0, socket: { data: () => void answered++ } });
        return { codec, socket };
      }),
    );
    let stop = false;
    const pump = (async () => {
      // rate/100 requests every 10 ms, taken in turn by the senders.
      let sent = 0;
      const started = performance.now();
      while (!stop) {
        const due = Math.floor(((performance.now() - started) / 1000) * rate);
        for (; sent < due; sent++) {
          const s = senders[sent % senders.length]!;
          s.socket.send(
            s.codec.encode(nodeId, {
              txid: 1 + (sent % 30000),
              version: PC2_VERSION,
              type: "request",
              request: { method: "find_node", target: Id.random(), want: { ipv4: true, ipv6: false, token: true } },
            }),
            port,
            "127.0.0.1",
          );
        }
        await Bun.sleep(10);
      }
    })();
    await Bun.sleep(500);
    const answeredBefore = answered;
    const t = performance.now();
    const loaded = await health(Math.round(seconds * 100));
    const realRate = (answered - answeredBefore) / ((performance.now() - t) / 1000);
    stop = true;
    await pump;
    for (const s of senders) s.socket.close();
    return { idle, loaded, answered: realRate };
  } finally {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const echo = await udpEcho(2000);
console.log(`UDP echo: round trip ${echo.rttMs.toFixed(3)} ms, ${Math.round(echo.perSecond)}/s one at a time`);
const rows = [];
for (const n of SIZES) {
  const r = await lookups(n);
  rows.push(r);
  console.log(`N=${n}: found ${r.found}/${r.tries}, rounds median ${r.roundsMedian} (max ${r.roundsMax}), ${r.msMedian.toFixed(1)} ms median, p90 ${r.msP90.toFixed(1)} ms, table ${r.table}`);
}
const rate = await served(3);
console.log(`one node answers ${Math.round(rate)} find_node/s`);
const mem = memoryPerThousandEntries();
console.log(`routing table: ${(mem / 1024 / 1024).toFixed(2)} MB per 1,000 entries`);
const h = await healthUnderLoad(1000, 5);
console.log(`/health p99: idle ${h.idle.toFixed(1)} ms, with ${Math.round(h.answered)} DHT answers/s ${h.loaded.toFixed(1)} ms`);

const largest = rows.at(-1)!;
const body = `Measured ${new Date().toISOString().slice(0, 10)} on ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}; all nodes in one process on loopback (one address each), 200 look-ups per size.

| network size | found | rounds (median / max) | log2(N) + 2 | look-up latency (median / p90) | × UDP echo round trip | routing entries per node |
|---|---|---|---|---|---|---|
${rows.map((r) => `| ${r.n} | ${r.found}/${r.tries} | ${r.roundsMedian} / ${r.roundsMax} | ${round1(Math.log2(r.n) + 2)} | ${r.msMedian.toFixed(1)} / ${r.msP90.toFixed(1)} ms | ${round1(r.msMedian / echo.rttMs)}× | ${r.table} |`).join("\n")}

| | measured | baseline (same run) | goal |
|---|---|---|---|
| find_node answered by one node | ${Math.round(rate)}/s | UDP echo, one at a time: ${Math.round(echo.perSecond)}/s | — |
| routing table memory | ${(mem / 1024 / 1024).toFixed(2)} MB per 1,000 entries | | ≤ 2 MB → **${mem / 1024 / 1024 <= 2 ? "met" : "not met"}** |
| PC2 \`/health\` p99 while its DHT answers ${Math.round(h.answered)}/s | ${h.loaded.toFixed(1)} ms | idle: ${h.idle.toFixed(1)} ms | < 20 ms → **${h.loaded < 20 ? "met" : "not met"}** |
| rounds at ${largest.n} nodes | ${largest.roundsMedian} median | | ≤ 12 → **${largest.roundsMedian <= 12 ? "met" : "not met"}** |`;
console.log(body);
if (process.argv.includes("--write")) writeSection("dht", body);
process.exit(0);
