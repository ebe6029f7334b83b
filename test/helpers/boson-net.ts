// A Boson DHT network on loopback for tests: N nodes, each on its own 127.0.x.y address (so the
// per-address throttle and blacklist apply as on the Internet), bootstrapped from the first.
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BosonNode } from "../../server/boson/boson-node.ts";
import { KeyPair } from "../../server/boson/keys.ts";
import { type AbuseLimits, REFERENCE_ABUSE_LIMITS } from "../../server/boson/dht/abuse-guard.ts";
import type { Contact, PersistedEntry } from "../../server/boson/dht/routing-table.ts";

export const loopbackHost = (i: number) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;

export function filePersistence(dir: string) {
  return (family: 4 | 6) => {
    const file = join(dir, `routing-${family}.json`);
    return {
      load: (): PersistedEntry[] => (existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : []),
      save: (entries: PersistedEntry[]) => writeFileSync(file, JSON.stringify(entries)),
    };
  };
}

export interface NetNode {
  node: BosonNode;
  keys: KeyPair;
  host: string;
  dir: string;
}

/**
 * The reference's per-address throttle (32 packets/s) is for the Internet, where a node's traffic
 * spreads over thousands of peers. A 100-node test network doing thousands of look-ups a minute sends
 * each peer far more, so network tests raise it; the hostile-traffic tests keep the real limits.
 */
export const TEST_NETWORK_LIMITS: AbuseLimits = { ...REFERENCE_ABUSE_LIMITS, packetsPerSecond: 100_000, burst: 100_000 };

export async function startNode(keys: KeyPair, host: string, bootstrap: Contact[], opts: { port?: number; dir?: string; ipv6?: string; limits?: AbuseLimits } = {}): Promise<NetNode> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "pc2-boson-"));
  const node = new BosonNode({
    keys,
    port: opts.port ?? 0,
    ipv4: host,
    ipv6: opts.ipv6,
    bootstrap,
    maxRecords: 4096,
    developmentMode: true,
    persistence: filePersistence(dir),
    maxTimeoutMs: 3000,
    abuseLimits: opts.limits ?? TEST_NETWORK_LIMITS,
    maintain: false,
  });
  await node.start();
  return { node, keys, host, dir };
}

/** N nodes; node 0 is everyone's bootstrap. Each joins (bootstrap = ping + self look-up), in small batches. */
export async function startNetwork(n: number): Promise<NetNode[]> {
  const first = await startNode(KeyPair.random(), loopbackHost(0), []);
  const nodes = [first];
  const seed = first.node.dhts[0]!.contact;
  for (let i = 1; i < n; i++) nodes.push(await startNode(KeyPair.random(), loopbackHost(i), [seed]));
  for (let i = 1; i < n; i += 10) await Promise.all(nodes.slice(i, i + 10).map((x) => x.node.bootstrap()));
  // A second pass, as the maintenance schedule would do: everyone's tables settle.
  for (let i = 0; i < n; i += 10) await Promise.all(nodes.slice(i, i + 10).map((x) => x.node.bootstrap()));
  return nodes;
}

export function stopAll(nodes: NetNode[]): void {
  for (const n of nodes) n.node.stop();
}
