// The DHT's anti-abuse rules on a clock the test moves (server/boson/dht/abuse-guard.ts): the
// packet throttle's burst and refill, the bad-packet window and the ban it earns, IDs per address
// and addresses per ID, each at its limit and one past, a ban's end, and the tables' bound.
import { expect, test } from "bun:test";
import { AbuseGuard, type AbuseLimits, REFERENCE_ABUSE_LIMITS } from "../../../server/boson/dht/abuse-guard.ts";

const T0 = 1_000_000;

function guard(over: Partial<AbuseLimits> = {}) {
  let now = T0;
  const g = new AbuseGuard({ ...REFERENCE_ABUSE_LIMITS, ...over }, () => now);
  return { g, at: (ms: number) => void (now = T0 + ms) };
}

const admitted = (g: AbuseGuard, host: string, n: number) => Array.from({ length: n }, () => g.admit(host)).filter(Boolean).length;

test("the reference's limits: 32 packets/s in bursts of 128; 30 bad packets in 20 minutes; an hour's ban; 30 IDs/addresses", () => {
  expect(REFERENCE_ABUSE_LIMITS).toEqual({
    packetsPerSecond: 32,
    burst: 128,
    badPacketsAllowed: 30,
    badPacketWindowMs: 1_200_000,
    banMs: 3_600_000,
    idsPerAddress: 30,
    addressesPerId: 30,
    maxTracked: 16_384,
  });
});

test("a burst of 128 passes and the 129th is dropped; tokens come back at 32 a second, never above the burst", () => {
  const { g, at } = guard();
  expect(admitted(g, "198.51.100.1", 128)).toBe(128);
  expect(g.admit("198.51.100.1")).toBe(false);
  expect(g.dropped).toBe(1);
  expect(g.admit("198.51.100.2")).toBe(true); // another address has its own bucket
  at(31); // 0.99 of a token
  expect(g.admit("198.51.100.1")).toBe(false);
  at(32); // a whole token since the last look (31 ms of it already credited)
  expect(g.admit("198.51.100.1")).toBe(true);
  expect(g.admit("198.51.100.1")).toBe(false);
  expect(g.dropped).toBe(3);
  at(60_000); // a minute idle: a full burst, not 32 × 60
  expect(admitted(g, "198.51.100.1", 200)).toBe(128);
});

test("30 bad packets within 20 minutes are allowed, the 31st bans the address for an hour", () => {
  const { g, at } = guard();
  for (let i = 0; i < 30; i++) g.badPacket("203.0.113.5");
  expect(g.isBanned("203.0.113.5")).toBe(false);
  expect(g.admit("203.0.113.5")).toBe(true);
  at(1000);
  g.badPacket("203.0.113.5");
  expect(g.isBanned("203.0.113.5")).toBe(true);
  const dropped = g.dropped;
  expect(g.admit("203.0.113.5")).toBe(false);
  expect(g.dropped).toBe(dropped + 1);
  at(1000 + 3_600_000 - 1);
  expect(g.isBanned("203.0.113.5")).toBe(true);
  at(1000 + 3_600_000);
  expect(g.isBanned("203.0.113.5")).toBe(false);
  // The ban wiped its record: 30 more bad packets are allowed again.
  for (let i = 0; i < 30; i++) g.badPacket("203.0.113.5");
  expect(g.isBanned("203.0.113.5")).toBe(false);
});

test("a bad packet exactly 20 minutes old no longer counts", () => {
  const { g, at } = guard();
  g.badPacket("203.0.113.6"); // at T0
  at(1);
  for (let i = 0; i < 29; i++) g.badPacket("203.0.113.6");
  at(1_200_000); // the first is exactly a window old: 29 in the window, plus this one
  g.badPacket("203.0.113.6");
  expect(g.isBanned("203.0.113.6")).toBe(false);
  g.badPacket("203.0.113.6"); // 31 in the window
  expect(g.isBanned("203.0.113.6")).toBe(true);
});

test("an address using 31 node IDs is banned; an ID seen from 31 addresses is banned (30 of either are fine)", () => {
  const { g } = guard();
  for (let i = 0; i < 30; i++) g.seen("192.0.2.1", `id-${i}`);
  g.seen("192.0.2.1", "id-0"); // the same ID again is not another
  expect(g.isBanned("192.0.2.1")).toBe(false);
  g.seen("192.0.2.1", "id-30");
  expect(g.isBanned("192.0.2.1")).toBe(true);
  for (let i = 0; i < 30; i++) g.seen(`192.0.2.${100 + i}`, "roaming");
  expect(g.isBanned("roaming")).toBe(false);
  g.seen("192.0.2.200", "roaming");
  expect(g.isBanned("roaming")).toBe(true);
  expect(g.isBanned("192.0.2.200")).toBe(false);
});

test("a ban wipes the slate: when it ends, the address or ID starts afresh", () => {
  const { g, at } = guard({ banMs: 1000 });
  for (let i = 0; i <= 30; i++) g.seen("192.0.2.1", `id-${i}`);
  for (let i = 0; i <= 30; i++) g.seen(`192.0.2.${100 + i}`, "roaming");
  expect([g.isBanned("192.0.2.1"), g.isBanned("roaming")]).toEqual([true, true]);
  at(1001);
  expect([g.isBanned("192.0.2.1"), g.isBanned("roaming")]).toEqual([false, false]);
  // One more ID on that address, one more address for that ID: not the 32nd, the 1st.
  g.seen("192.0.2.1", "id-new");
  g.seen("192.0.2.250", "roaming");
  expect([g.isBanned("192.0.2.1"), g.isBanned("roaming")]).toEqual([false, false]);
  // Bad packets, with a window longer than the ban: those before the ban no longer count.
  const b = guard({ banMs: 1000, badPacketWindowMs: 60_000, badPacketsAllowed: 2 });
  for (let i = 0; i < 3; i++) b.g.badPacket("198.51.100.1");
  expect(b.g.isBanned("198.51.100.1")).toBe(true);
  b.at(1001);
  b.g.badPacket("198.51.100.1");
  expect(b.g.isBanned("198.51.100.1")).toBe(false);
});

test("the tables are bounded: beyond maxTracked the oldest entry goes; updating one that is there evicts nothing", () => {
  const { g } = guard({ maxTracked: 2, badPacketsAllowed: 0 });
  g.badPacket("a"); // banned at once (0 allowed)
  g.badPacket("b");
  expect([g.isBanned("a"), g.isBanned("b")]).toEqual([true, true]);
  g.badPacket("b"); // b again: still two bans tracked
  expect(g.isBanned("a")).toBe(true);
  g.badPacket("c"); // a third: the oldest ban (a) is forgotten
  expect([g.isBanned("a"), g.isBanned("b"), g.isBanned("c")]).toEqual([false, true, true]);
  const throttle = guard({ maxTracked: 2, burst: 1 }).g;
  expect([throttle.admit("x"), throttle.admit("x")]).toEqual([true, false]);
  throttle.admit("y");
  throttle.admit("z"); // x's empty bucket is forgotten: it starts full again
  expect(throttle.admit("x")).toBe(true);
});
