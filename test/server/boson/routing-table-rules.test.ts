// The routing table's rules one by one (server/boson/dht/routing-table.ts), on IDs built bit by bit and
// a clock moved by the test: what a contact's entry holds, an ID at a new address, when a full bucket
// splits and when it does not, the replacement cache, failures, the closest contacts, refresh and
// what is saved. (routing-table.test.ts covers the memory across a restart.)
import { describe, expect, test } from "bun:test";
import { type Contact, K, RoutingTable } from "../../../server/boson/dht/routing-table.ts";
import { getBit, Id } from "../../../server/boson/id.ts";

/** An ID whose first bits are `prefix` ("1", "01"…), then zeros, with `tail` as its last byte. */
function idOf(prefix: string, tail: number): Id {
  const b = new Uint8Array(32);
  for (let i = 0; i < prefix.length; i++) if (prefix[i] === "1") b[i >> 3]! |= 1 << (7 - (i & 7));
  b[31] = tail;
  return Id.of(b);
}
const LOCAL = idOf("", 0);
const at = (id: Id, port = 4000): Contact => ({ id, host: "192.0.2.1", port });
function table() {
  let now = 1_000;
  const t = new RoutingTable(LOCAL, () => now);
  return { t, advance: (ms: number) => void (now += ms), now: () => now };
}
/** K verified contacts with IDs starting with 1: the far half, in a bucket of its own once split. */
const far = (n = K, verified = true, t = table()) => {
  for (let i = 1; i <= n; i++) t.t.put(at(idOf("1", i)), verified);
  return t;
};

describe("an entry", () => {
  test("holds the contact, whether it answered, when it was last seen, no failures; our own ID is never put", () => {
    const { t, advance } = table();
    t.put(at(LOCAL), true);
    expect(t.size).toBe(0);
    t.put(at(idOf("1", 1), 4001), false);
    expect(t.get(idOf("1", 1))).toEqual({ id: idOf("1", 1), host: "192.0.2.1", port: 4001, verified: false, lastSeen: 1_000, failures: 0 });
    advance(500);
    t.failed(idOf("1", 1));
    t.put(at(idOf("1", 1), 4001), true);
    expect(t.get(idOf("1", 1))).toMatchObject({ verified: true, lastSeen: 1_500, failures: 0 });
    // Heard from again without answering: still verified.
    t.put(at(idOf("1", 1), 4001), false);
    expect(t.get(idOf("1", 1))?.verified).toBe(true);
    expect(t.get(idOf("1", 2))).toBeUndefined();
  });

  test("a known ID at another host or port is ignored until its entry fails", () => {
    const { t, advance } = table();
    t.put(at(idOf("1", 1)), false);
    advance(10);
    t.put({ ...at(idOf("1", 1)), host: "198.51.100.9" }, true);
    t.put(at(idOf("1", 1), 4999), true);
    expect(t.get(idOf("1", 1))).toMatchObject({ host: "192.0.2.1", port: 4000, verified: false, lastSeen: 1_000 });
    t.failed(idOf("1", 1));
    t.failed(idOf("1", 1));
    t.put(at(idOf("1", 1), 4999), true);
    expect(t.get(idOf("1", 1))).toMatchObject({ port: 4999, verified: true });
  });
});

describe("full buckets", () => {
  test("the bucket holding our own ID splits for a contact that answered, not for one that only wrote", () => {
    const s = far();
    expect(s.t.bucketCount).toBe(1);
    s.t.put(at(idOf("1", 99)), false);
    expect(s.t.bucketCount).toBe(1);
    expect(s.t.get(idOf("1", 99))).toBeUndefined();
    s.t.put(at(idOf("0", 1)), true);
    // Split at depth 0: the far half (1…) and ours (0…); the newcomer is in ours.
    expect(s.t.bucketCount).toBe(2);
    expect(s.t.size).toBe(K + 1);
    expect(s.t.get(idOf("0", 1))).toBeDefined();
  });

  test("a remembered contact splits it too (a restart puts every saved contact back)", () => {
    const s = far();
    s.t.restore([at(idOf("0", 1))]);
    expect(s.t.bucketCount).toBe(2);
    expect(s.t.get(idOf("0", 1))).toMatchObject({ remembered: true, verified: false });
  });

  test("a full bucket far from us keeps its entries: newcomers wait in the replacement cache, and take a failing entry's place", () => {
    const s = far();
    s.t.put(at(idOf("0", 1)), true); // split: the far bucket is full and no longer ours
    s.t.put(at(idOf("1", 50)), true);
    expect(s.t.bucketCount).toBe(2);
    expect(s.t.get(idOf("1", 50))).toBeUndefined();
    expect(s.t.hasRoomFor(idOf("1", 51))).toBe(false);
    s.t.failed(idOf("1", 3));
    expect(s.t.get(idOf("1", 3))?.failures).toBe(1);
    expect(s.t.hasRoomFor(idOf("1", 51))).toBe(false);
    s.t.failed(idOf("1", 3));
    // The second failure: the newest waiting contact takes its place.
    expect(s.t.get(idOf("1", 3))).toBeUndefined();
    expect(s.t.get(idOf("1", 50))).toMatchObject({ verified: true });
    expect(s.t.size).toBe(K + 1);
  });

  test("a contact that answered replaces one that never did, or one failing; one that only wrote replaces nobody", () => {
    const s = far(K, false);
    s.t.put(at(idOf("0", 1)), true); // a split (ours was full of unverified far contacts)
    expect(s.t.hasRoomFor(idOf("1", 60))).toBe(true);
    s.t.put(at(idOf("1", 60)), false);
    expect(s.t.get(idOf("1", 60))).toBeUndefined();
    s.t.put(at(idOf("1", 61)), true);
    expect(s.t.get(idOf("1", 61))?.verified).toBe(true);
    expect(s.t.get(idOf("1", 1))).toBeUndefined(); // the first unverified entry gave way
    expect(s.t.size).toBe(K + 1);
  });

  test("contacts waiting before a split wait in the bucket that covers them after it; a far bucket with space has room", () => {
    const s = far(); // one bucket (ours) full of far contacts
    s.t.put(at(idOf("1", 80)), false); // only wrote: no split, it waits
    s.t.put(at(idOf("0", 1)), true); // answered: the split
    s.t.failed(idOf("1", 1));
    s.t.failed(idOf("1", 1));
    expect(s.t.get(idOf("1", 80))).toMatchObject({ verified: false });
    const f = far();
    f.t.put(at(idOf("0", 1)), true);
    expect(f.t.hasRoomFor(idOf("1", 81))).toBe(false);
    f.t.remove(idOf("1", 2));
    expect(f.t.hasRoomFor(idOf("1", 81))).toBe(true);
  });

  test("the replacement cache keeps the newest K, once each", () => {
    const s = far();
    s.t.put(at(idOf("0", 1)), true);
    for (let i = 100; i < 100 + K + 3; i++) s.t.put(at(idOf("1", i)), true);
    s.t.put(at(idOf("1", 105)), true); // again: moved to the newest, not kept twice
    // Fail all K far entries twice: each takes one waiting contact, newest first.
    s.t.failed(idOf("1", 1));
    s.t.failed(idOf("1", 1));
    expect(s.t.get(idOf("1", 105))).toBeDefined();
    expect(s.t.get(idOf("1", 110))).toBeUndefined();
    for (let i = 2; i <= K; i++) s.t.failed(idOf("1", i)), s.t.failed(idOf("1", i));
    const far1 = s.t
      .all()
      .filter((e) => getBit(e.id.bytes, 0) === 1)
      .map((e) => e.id.bytes[31]!);
    expect(far1.sort((a, b) => a - b)).toEqual(Array.from({ length: K }, (_, i) => 103 + i));
    // The cache is spent: a further failing entry stays (it answered once), no older contact comes back.
    s.t.failed(idOf("1", 103));
    s.t.failed(idOf("1", 103));
    expect(s.t.get(idOf("1", 103))?.failures).toBe(2);
    expect(s.t.get(idOf("1", 102))).toBeUndefined();
  });

  test("room: space in the bucket, a bucket of ours that can split, or an entry to replace", () => {
    const { t } = table();
    expect(t.hasRoomFor(idOf("1", 1))).toBe(true);
    const s = far(K - 1);
    expect(s.t.hasRoomFor(idOf("1", 90))).toBe(true);
    s.t.put(at(idOf("1", K)), true);
    expect(s.t.hasRoomFor(idOf("1", 90))).toBe(true); // ours, and it can split
    s.t.put(at(idOf("0", 1)), true);
    expect(s.t.hasRoomFor(idOf("1", 90))).toBe(false);
    expect(s.t.hasRoomFor(idOf("0", 2))).toBe(true);
  });
});

describe("failures", () => {
  test("with nobody waiting: an entry that never answered goes at its second failure, one that did at its fourth", () => {
    const { t } = table();
    t.put(at(idOf("1", 1)), false);
    t.put(at(idOf("1", 2)), true);
    for (const id of [idOf("1", 1), idOf("1", 2)]) t.failed(id), t.failed(id);
    expect(t.get(idOf("1", 1))).toBeUndefined();
    expect(t.get(idOf("1", 2))?.failures).toBe(2);
    t.failed(idOf("1", 2));
    expect(t.get(idOf("1", 2))?.failures).toBe(3);
    t.failed(idOf("1", 2));
    expect(t.get(idOf("1", 2))).toBeUndefined();
    t.failed(idOf("1", 3)); // unknown: nothing happens
    expect(t.size).toBe(0);
  });

  test("a verified entry failing twice, with nobody waiting, stays — yet counts as room, and a newcomer that answered takes its place", () => {
    const s = far();
    s.t.put(at(idOf("0", 1)), true); // split: the far bucket is full and no longer ours
    s.t.failed(idOf("1", 4));
    expect(s.t.hasRoomFor(idOf("1", 70))).toBe(false);
    s.t.failed(idOf("1", 4));
    expect(s.t.get(idOf("1", 4))?.failures).toBe(2);
    expect(s.t.hasRoomFor(idOf("1", 70))).toBe(true);
    s.t.put(at(idOf("1", 70)), true);
    expect(s.t.get(idOf("1", 4))).toBeUndefined();
    expect(s.t.get(idOf("1", 70))).toMatchObject({ verified: true, failures: 0 });
  });

  test("remove takes an entry out at once", () => {
    const { t } = table();
    t.put(at(idOf("1", 1)), true);
    t.put(at(idOf("1", 2)), true);
    t.remove(idOf("1", 1));
    expect(t.all().map((e) => e.id.bytes[31])).toEqual([2]);
  });
});

describe("lookups", () => {
  test("closest: by XOR distance to the target, failing entries left out, K by default", () => {
    const { t } = table();
    for (let i = 1; i <= 6; i++) t.put(at(idOf("", i)), true);
    for (let i = 1; i <= 6; i++) t.put(at(idOf("1", i)), true);
    const target = idOf("", 4);
    expect(t.closest(target, 4).map((e) => e.id.bytes[31])).toEqual([4, 5, 6, 1]);
    t.failed(idOf("", 5));
    expect(t.closest(target, 4).map((e) => e.id.bytes[31])).toEqual([4, 5, 6, 1]);
    t.failed(idOf("", 5));
    expect(t.closest(target, 4).map((e) => e.id.bytes[31])).toEqual([4, 6, 1, 2]);
    expect(t.closest(target)).toHaveLength(K);
  });

  test("refresh: every bucket not heard from in maxAge (exactly maxAge included) gets a target in its range, once", () => {
    const s = far();
    s.t.put(at(idOf("0", 1)), true); // two buckets: 0… and 1…
    s.advance(999);
    expect(s.t.refreshTargets(1_000)).toEqual([]);
    s.advance(1);
    const targets = s.t.refreshTargets(1_000);
    expect(targets.map((id) => getBit(id.bytes, 0)).sort()).toEqual([0, 1]);
    expect(s.t.refreshTargets(1_000)).toEqual([]);
    s.advance(600);
    s.t.touched(idOf("1", 7));
    s.advance(400);
    const due = s.t.refreshTargets(1_000);
    expect(due.map((id) => getBit(id.bytes, 0))).toEqual([0]);
  });

  test("saved: the contacts that answered and the remembered ones; a random entry is one of them", () => {
    const { t } = table();
    expect(t.randomEntry()).toBeUndefined();
    t.put(at(idOf("1", 1)), true);
    t.put(at(idOf("1", 2)), false);
    t.restore([at(idOf("1", 3), 4003)]);
    expect(t.export()).toEqual([
      { id: idOf("1", 1).toString(), host: "192.0.2.1", port: 4000 },
      { id: idOf("1", 3).toString(), host: "192.0.2.1", port: 4003 },
    ]);
    const drawn = new Set<number>();
    for (let i = 0; i < 300; i++) drawn.add(t.randomEntry()!.id.bytes[31]!);
    expect([...drawn].sort()).toEqual([1, 2, 3]); // each one, sooner or later (missing one: (2/3)^300)
  });
});
