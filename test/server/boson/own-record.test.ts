// A node is among the closest nodes to its own ID, so it keeps its own peer record as the others do:
// while it is up, a look-up that reaches it finds the record even if every other holder has left.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { signedPeer } from "../../../server/boson/v2/records.ts";
import { type NetNode, startNetwork, stopAll } from "../../helpers/boson-net.ts";

let net: NetNode[];
beforeAll(async () => {
  net = await startNetwork(16);
}, 60_000);
afterAll(() => stopAll(net));

test("every other holder stops; the record is still found, from the node itself", async () => {
  const x = net[5]!;
  const stored = await x.node.announcePeer(signedPeer(x.keys, x.keys.id, 4200));
  expect(stored).toBeGreaterThanOrEqual(2);
  expect(holds(x, x)).toBe(true); // the announcer keeps it too
  // Stop every other node that holds the record; ask from one that never held it.
  const holders = net.filter((n) => n !== x && holds(n, x));
  expect(holders.length).toBeGreaterThanOrEqual(1);
  const asker = net.find((n) => n !== x && !holds(n, x))!;
  for (const n of holders) n.node.stop();
  const found = await asker.node.findPeers(x.keys.id);
  expect(found.map((p) => p.nodeId.toString())).toContain(x.keys.id.toString());
}, 60_000);

function holds(n: NetNode, x: NetNode): boolean {
  return n.node.store.getPeers(x.keys.id).length > 0;
}
