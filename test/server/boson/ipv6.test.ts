// The IPv6 DHT on ::1: its own routing table and sockets beside IPv4, the same records.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { KeyPair } from "../../../server/boson/keys.ts";
import { immutableValue, signedPeer, valueId } from "../../../server/boson/v2/records.ts";
import { type NetNode, startNode, stopAll } from "../../helpers/boson-net.ts";

const nodes: NetNode[] = [];
beforeAll(async () => {
  const first = await startNode(KeyPair.random(), "127.0.7.1", [], { ipv6: "::1" });
  nodes.push(first);
  const seeds = first.node.dhts.map((d) => d.contact);
  for (let i = 2; i <= 6; i++) nodes.push(await startNode(KeyPair.random(), `127.0.7.${i}`, seeds, { ipv6: "::1" }));
  for (const n of nodes.slice(1)) await n.node.bootstrap();
});
afterAll(() => stopAll(nodes));

test("each node runs both families on one port; the IPv6 table holds ::1 contacts only", () => {
  for (const n of nodes) {
    expect(n.node.dhts.map((d) => d.family)).toEqual([4, 6]);
    expect(n.node.dhts[1]!.port).toBe(n.node.dhts[0]!.port);
  }
  const v6 = nodes[3]!.node.dhts[1]!;
  expect(v6.table.size).toBeGreaterThanOrEqual(1);
  expect(v6.table.all().every((e) => e.host === "::1")).toBe(true);
  expect(nodes[3]!.node.dhts[0]!.table.all().every((e) => e.host.startsWith("127.0.7."))).toBe(true);
});

test("over IPv6 alone, a node is found by ID, a peer record and a value round-trip", async () => {
  const [a, , , , , f] = nodes;
  const v6 = a!.node.dhts[1]!;
  const found = await v6.findNode(f!.keys.id);
  expect(found).toMatchObject({ host: "::1", port: f!.node.dhts[1]!.port });
  expect(await f!.node.dhts[1]!.announcePeer(signedPeer(f!.keys, f!.keys.id, 4200))).toBeGreaterThanOrEqual(1);
  expect((await v6.findPeers(f!.keys.id)).peers.map((p) => p.port)).toEqual([4200]);
  const value = immutableValue(new TextEncoder().encode("over v6"));
  expect(await nodes[2]!.node.dhts[1]!.storeValue(value)).toBeGreaterThanOrEqual(1);
  expect(new TextDecoder().decode((await v6.findValue(valueId(value))).value!.data)).toBe("over v6");
});
