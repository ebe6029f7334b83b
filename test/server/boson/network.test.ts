// A 100-node DHT on loopback (real UDP sockets, one process): everyone is findable, look-ups
// converge in few rounds, values round-trip, the network survives losing 30% of its nodes, and a
// restarted node keeps its routing table.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { immutableValue, signedPeer, signedValue, valueId } from "../../../server/boson/v2/records.ts";
import { type NetNode, startNetwork, startNode, stopAll } from "../../helpers/boson-net.ts";

const N = 100;
let net: NetNode[];
beforeAll(async () => {
  net = await startNetwork(N);
  // Every node publishes its own peer record (peer ID = its Node ID), as a PC2 node does.
  for (let i = 0; i < N; i += 10) await Promise.all(net.slice(i, i + 10).map((x) => x.node.announcePeer(signedPeer(x.keys, x.keys.id, 4200 + (i % 100), { alt: `https://${x.keys.id}.example` }))));
}, 120_000);
afterAll(() => stopAll(net));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe("a 100-node network on loopback", () => {
  test("every node finds every other node's peer record, signed by that node", async () => {
    let found = 0;
    // Ten nodes look up at once, each one peer after another (one process plays all 100 nodes).
    for (let i = 0; i < N; i += 10)
      await Promise.all(
        net.slice(i, i + 10).map(async (from) => {
          for (const to of net) if (to !== from && (await from.node.findPeers(to.keys.id)).some((p) => p.nodeId.equals(to.keys.id))) found++;
        }),
      );
    expect(found).toBe(N * (N - 1));
  }, 240_000);

  test(`find_node converges in at most log2(N) + 2 rounds at the median`, async () => {
    const rounds: number[] = [];
    for (let i = 0; i < 50; i++) {
      const from = net[(i * 7) % N]!;
      const target = net[(i * 13 + 5) % N]!.keys.id;
      const r = await from.node.dhts[0]!.findNodes(target);
      expect(r.closest[0]?.contact.id.equals(target) || from.keys.id.equals(target)).toBe(true);
      rounds.push(r.rounds);
    }
    expect(median(rounds)).toBeLessThanOrEqual(Math.log2(N) + 2);
  }, 60_000);

  test("immutable and signed values stored by one node are found by another; a newer seq wins", async () => {
    const data = new TextEncoder().encode("a value on the network");
    const immutable = immutableValue(data);
    expect(await net[3]!.node.storeValue(immutable)).toBeGreaterThanOrEqual(4);
    expect((await net[77]!.node.findValue(valueId(immutable)))?.data).toEqual(data);

    const owner = net[10]!.keys;
    const nonce = new Uint8Array(24).fill(7);
    const v1 = signedValue(owner, new TextEncoder().encode("v1"), { seq: 1, nonce });
    await net[10]!.node.storeValue(v1);
    const v2 = signedValue(owner, new TextEncoder().encode("v2"), { seq: 2, nonce });
    await net[10]!.node.storeValue(v2);
    const got = await net[55]!.node.findValue(valueId(v2));
    expect(new TextDecoder().decode(got!.data)).toBe("v2");
    // An older seq is refused by the nodes that hold v2: the network keeps v2.
    await net[10]!.node.storeValue(v1);
    expect(new TextDecoder().decode((await net[60]!.node.findValue(valueId(v2)))!.data)).toBe("v2");
  }, 60_000);

  test("after 30% of the nodes stop, look-ups still find the rest", async () => {
    const stopped = net.filter((_, i) => i % 10 < 3 && i !== 0);
    for (const x of stopped) x.node.stop();
    const alive = net.filter((x) => !stopped.includes(x));
    let found = 0;
    const pairs = alive.slice(0, 20).flatMap((from, i) => alive.slice(20 + i, 23 + i).map((to) => [from, to] as const));
    for (const [from, to] of pairs) if ((await from.node.findPeers(to.keys.id)).length > 0) found++;
    expect(found).toBe(pairs.length);
  }, 120_000);

  test("a restarted node keeps its routing table", async () => {
    const x = net[N - 1]!;
    const remembered = x.node.dhts[0]!.table.export().length;
    expect(remembered).toBeGreaterThan(8);
    x.node.stop();
    const again = await startNode(x.keys, x.host, [], { dir: x.dir });
    try {
      // Every contact it had verified, placed as before — not only the first 8 (one bucket's worth:
      // with some of them among the nodes stopped above, a look-up then sometimes had no one to ask).
      expect(again.node.dhts[0]!.table.size).toBe(remembered);
      // Without a bootstrap list it still finds, through what it remembered, a live node it does not
      // know itself.
      const stillRunning = net.filter((n, i) => i % 10 >= 3 && n !== x);
      const target = (stillRunning.find((n) => !again.node.dhts[0]!.table.get(n.keys.id)) ?? stillRunning[0]!).keys.id;
      expect((await again.node.findNode(target))?.id.equals(target)).toBe(true);
    } finally {
      again.node.stop();
    }
  }, 30_000);
});
