// Active Proxy benchmark, on loopback in this process: relay throughput against a direct TCP copy
// of the same bytes (measured in the same run), the latency a relayed request adds against the same
// request made directly, and 1,000 concurrent relayed connections across 100 nodes on one super
// node (memory per connection). `--write` records docs/performance.md.
import { connect, createServer, type Server, type Socket } from "node:net";
import { ProxyClient } from "../../server/boson/active-proxy/proxy-client.ts";
import { ProxyServer } from "../../server/boson/active-proxy/proxy-server.ts";
import { KeyPair } from "../../server/boson/keys.ts";
import { writeSection } from "./sections.ts";

const MIB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_RELAY_MIB ?? 256) * MIB;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const round2 = (x: number) => Math.round(x * 100) / 100;
const RANGE = 32000 + Math.floor(Math.random() * 200) * 10;

/** A TCP server that counts what it receives and closes when the sender ends. */
function sink(): Promise<Server> {
  const server = createServer((s) => {
    s.on("data", () => {});
    s.on("end", () => s.end());
    s.on("error", () => {});
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

/** Send SIZE bytes to port and wait for the close: MiB/s. */
async function push(port: number): Promise<number> {
  const chunk = Buffer.alloc(256 * 1024, 7);
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const s: Socket = connect(port, "127.0.0.1", () => {
      let sent = 0;
      const more = () => {
        while (sent < SIZE) {
          sent += chunk.length;
          if (!s.write(chunk)) return void s.once("drain", more);
        }
        s.end();
      };
      more();
    });
    s.on("data", () => {});
    s.on("close", () => resolve());
    s.on("error", reject);
  });
  return SIZE / MIB / ((performance.now() - started) / 1000);
}

/** Request/response round trips of 64 bytes over one connection: milliseconds each. */
async function pingPong(port: number, n: number): Promise<number[]> {
  const s = connect(port, "127.0.0.1");
  s.setNoDelay(true);
  await new Promise((ok) => s.once("connect", ok));
  const times: number[] = [];
  const msg = Buffer.alloc(64, 1);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await new Promise<void>((ok) => {
      s.once("data", () => ok());
      s.write(msg);
    });
    times.push(performance.now() - t);
  }
  s.destroy();
  return times;
}

function echo(): Promise<Server> {
  const server = createServer((s) => {
    s.setNoDelay(true);
    s.on("error", () => {});
    s.pipe(s);
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

async function online(client: ProxyClient): Promise<number> {
  while (client.status.state !== "online") await Bun.sleep(5);
  return client.status.port;
}

const superKeys = KeyPair.random();
const server = new ProxyServer({ keys: superKeys, host: "127.0.0.1", port: 0, portRange: [RANGE, RANGE + 199], maxTunnelsPerNode: 16 });
await server.start();
const target = (port: number) => ({ keys: KeyPair.random(), server: { id: superKeys.id, host: "127.0.0.1", port: server.port }, upstream: { host: "127.0.0.1", port } });

// 1. Throughput.
const sinkServer = await sink();
const sinkPort = (sinkServer.address() as { port: number }).port;
const throughputClient = new ProxyClient({ ...target(sinkPort), spareTunnels: 1 });
throughputClient.start();
const throughputPort = await online(throughputClient);
await push(sinkPort); // warm-up
await push(throughputPort);
const direct = await push(sinkPort);
const relayed = await push(throughputPort);
throughputClient.stop();

// 2. Added latency.
const echoServer = await echo();
const echoPort = (echoServer.address() as { port: number }).port;
const latencyClient = new ProxyClient({ ...target(echoPort), spareTunnels: 1 });
latencyClient.start();
const latencyPort = await online(latencyClient);
await pingPong(echoPort, 200);
await pingPong(latencyPort, 200);
const directTimes = await pingPong(echoPort, 2000);
const relayedTimes = await pingPong(latencyPort, 2000);
latencyClient.stop();

// 3. 1,000 concurrent relayed connections across 100 nodes.
const NODES = 100;
const PER_NODE = 10;
const clients: ProxyClient[] = [];
for (let i = 0; i < NODES; i++) {
  const c = new ProxyClient({ ...target(echoPort), spareTunnels: PER_NODE, maxTunnels: PER_NODE + 2 });
  c.start();
  clients.push(c);
}
const ports = await Promise.all(clients.map(online));
while (clients.some((c) => c.tunnelCount < PER_NODE)) await Bun.sleep(20);
Bun.gc(true);
const rssBefore = process.memoryUsage().rss;
const opened: Socket[] = [];
const started = performance.now();
await Promise.all(
  ports.flatMap((port) =>
    Array.from(
      { length: PER_NODE },
      () =>
        new Promise<void>((ok, fail) => {
          const s = connect(port, "127.0.0.1", () => {
            s.once("data", () => ok());
            s.write("hello");
          });
          s.on("error", fail);
          opened.push(s);
        }),
    ),
  ),
);
const allAnswered = performance.now() - started;
Bun.gc(true);
const perConnection = (process.memoryUsage().rss - rssBefore) / opened.length;
for (const s of opened) s.destroy();
for (const c of clients) c.stop();
server.stop();
sinkServer.close();
echoServer.close();

const rows = [
  `| relay throughput (${SIZE / MIB} MiB, one connection) | ${round2(relayed)} MiB/s | direct TCP copy ${round2(direct)} MiB/s | **${round2((100 * relayed) / direct)}%** (goal ≥ 50%) |`,
  `| round trip, 64 B, p50 | ${round2(pct(relayedTimes, 0.5))} ms | direct ${round2(pct(directTimes, 0.5))} ms | **+${round2(pct(relayedTimes, 0.5) - pct(directTimes, 0.5))} ms** (goal ≤ 1 ms) |`,
  `| round trip, 64 B, p99 | ${round2(pct(relayedTimes, 0.99))} ms | direct ${round2(pct(directTimes, 0.99))} ms | +${round2(pct(relayedTimes, 0.99) - pct(directTimes, 0.99))} ms |`,
  `| ${opened.length} concurrent relayed connections, ${NODES} nodes | all answered in ${Math.round(allAnswered)} ms | — | ${Math.round(perConnection / 1024)} KiB RSS per connection (both ends in one process) |`,
];
const body = [
  `Active Proxy on loopback, super node and nodes in one process (\`bun scripts/bench/relay.ts\`; ${new Date().toISOString().slice(0, 10)}, ${navigator.hardwareConcurrency} cores). Relayed bytes are sealed and opened once each way (crypto_box secretbox), framed, and copied through three sockets; the baseline is the same bytes over one loopback TCP connection.`,
  "",
  "| measure | through the relay | baseline | ratio |",
  "|---|---|---|---|",
  ...rows,
].join("\n");
console.log(body);
if (process.argv.includes("--write")) writeSection("relay", body);
process.exit(0);
