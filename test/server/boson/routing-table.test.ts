// The routing table's memory across a restart (server/boson/dht/routing-table.ts): what it saves,
// how it is put back, and how remembered contacts give way to ones that answer now.
import { expect, test } from "bun:test";
import { Id } from "../../../server/boson/id.ts";
import { KeyPair } from "../../../server/boson/keys.ts";
import { type Contact, K, RoutingTable } from "../../../server/boson/dht/routing-table.ts";

const contact = (i: number): Contact => ({ id: KeyPair.random().id, host: `127.0.${1 + (i >> 8)}.${1 + (i % 250)}`, port: 39000 + i });
const restored = (from: RoutingTable) => {
  const table = new RoutingTable(from.localId);
  table.restore(from.export().map((e) => ({ id: Id.parse(e.id), host: e.host, port: e.port })));
  return table;
};

test("every verified contact is saved and put back where it was, not only one bucket's worth", () => {
  const first = new RoutingTable(KeyPair.random().id);
  for (let i = 0; i < 200; i++) first.put(contact(i), true);
  first.put(contact(500), false); // heard from, never answered: not saved
  const saved = first.export();
  expect(saved.length).toBe(first.all().filter((e) => e.verified).length);
  expect(saved.some((e) => e.port === 39500)).toBe(false);
  expect(saved.length).toBeGreaterThan(K * 2);
  const again = restored(first);
  expect(again.size).toBe(saved.length);
  expect(new Set(again.all().map((e) => e.id.toString()))).toEqual(new Set(saved.map((e) => e.id)));
  // A second restart with nobody heard from in between keeps them too.
  expect(restored(again).size).toBe(saved.length);
});

test("a remembered contact that fails twice is dropped; one that answers is verified", () => {
  const first = new RoutingTable(KeyPair.random().id);
  for (let i = 0; i < 200; i++) first.put(contact(i), true);
  const again = restored(first);
  const before = again.size;
  const remembered = again.all().filter((e) => e.remembered);
  const victim = remembered[0]!;
  again.failed(victim.id);
  expect(again.get(victim.id)).toBeDefined();
  again.failed(victim.id);
  expect(again.get(victim.id)).toBeUndefined();
  expect(again.size).toBe(before - 1);
  // Answering makes a remembered contact verified.
  const other = remembered[1]!;
  again.put({ id: other.id, host: other.host, port: other.port }, true);
  expect(again.get(other.id)?.verified).toBe(true);
});
