// The lock table on its own, with a clock the test moves: which locks apply to which path, for
// which wallet, and for how long.
import { expect, test } from "bun:test";
import { type Lock, LockManager, MAX_LOCKS_PER_WALLET } from "../../../server/services/dav/dav-locks.ts";

const A = "0xaaaa";
const B = "0xbbbb";

function table() {
  let now = 1_000_000;
  const locks = new LockManager(() => now);
  const take = (owner: string, root: string, depth: Lock["depth"], scope: Lock["scope"] = "exclusive", timeoutSeconds = 60) =>
    locks.lock({ owner, root, href: root, scope, depth, ownerXml: "", timeoutSeconds });
  return { locks, take, advance: (ms: number) => (now += ms) };
}

const tokens = (ls: Lock[]) => ls.map((l) => l.token).sort();

test("a depth-0 lock covers its own path only; depth infinity covers everything below, not beside", () => {
  const { locks, take } = table();
  const zero = take(A, "/docs", "0");
  const deep = take(A, "/photos", "infinity");
  expect(tokens(locks.covering(A, "/docs"))).toEqual([zero.token]);
  expect(locks.covering(A, "/docs/a.txt")).toEqual([]);
  expect(tokens(locks.covering(A, "/photos"))).toEqual([deep.token]);
  expect(tokens(locks.covering(A, "/photos/2026/a.jpg"))).toEqual([deep.token]);
  expect(locks.covering(A, "/photos-old/a.jpg")).toEqual([]);
  expect(locks.covering(A, "/")).toEqual([]);
});

test("a lock on the root with depth infinity covers every path; the root's depth-0 lock only the root", () => {
  const { locks, take } = table();
  const root = take(A, "/", "0", "shared");
  expect(tokens(locks.covering(A, "/"))).toEqual([root.token]);
  expect(locks.covering(A, "/x")).toEqual([]);
  const all = take(A, "/", "infinity", "shared");
  expect(tokens(locks.covering(A, "/x/y/z"))).toEqual([all.token]);
  expect(tokens(locks.covering(A, "/"))).toEqual(tokens([root, all]));
});

test("another wallet's locks never apply, and its tokens are unknown here", () => {
  const { locks, take } = table();
  const mine = take(A, "/docs", "infinity");
  expect(locks.covering(B, "/docs/a.txt")).toEqual([]);
  expect(locks.byToken(B, mine.token)).toBeNull();
  expect(() => locks.unlock(B, "/docs", mine.token)).toThrow(expect.objectContaining({ code: "dav_lock_token_mismatch" }));
  expect(locks.byToken(A, mine.token)).toBe(mine);
});

test("locks expire at their timeout exactly, and a refresh moves it", () => {
  const { locks, take, advance } = table();
  const lock = take(A, "/docs", "0", "exclusive", 10);
  advance(9_999);
  expect(locks.covering(A, "/docs")).toHaveLength(1);
  locks.refresh(lock, 10);
  advance(9_999);
  expect(locks.byToken(A, lock.token)).toBe(lock);
  advance(1);
  expect(locks.covering(A, "/docs")).toEqual([]);
  expect(locks.byToken(A, lock.token)).toBeNull();
  // Gone means the path can be locked again exclusively.
  expect(take(A, "/docs", "0").token).not.toBe(lock.token);
});

test("conflicts: exclusive against anything above, on or below; shared with shared", () => {
  const { locks, take } = table();
  take(A, "/a", "infinity", "shared");
  take(A, "/a/b", "0", "shared");
  expect(() => take(A, "/a/b/c", "0", "exclusive")).toThrow(expect.objectContaining({ code: "dav_locked" }));
  expect(() => take(A, "/", "infinity", "exclusive")).toThrow(expect.objectContaining({ code: "dav_locked" }));
  take(A, "/", "0", "exclusive"); // the root alone is not in the way of locks below it
  take(B, "/a", "infinity", "exclusive"); // another wallet's tree
  expect(locks.within(A, "/a")).toHaveLength(2);
});

test("unlock and dropWithin forget locks for good", () => {
  const { locks, take } = table();
  const a = take(A, "/a", "infinity");
  const b = take(A, "/b/c", "0");
  locks.unlock(A, "/a/inner", a.token);
  expect(locks.covering(A, "/a")).toEqual([]);
  expect(() => locks.unlock(A, "/a", a.token)).toThrow(expect.objectContaining({ code: "dav_lock_token_mismatch" }));
  locks.dropWithin(A, "/b");
  expect(locks.byToken(A, b.token)).toBeNull();
});

test(`a wallet holds at most ${MAX_LOCKS_PER_WALLET} locks; others are not counted against it`, () => {
  const { take } = table();
  for (let i = 0; i < MAX_LOCKS_PER_WALLET; i++) take(A, `/f${i}`, "0");
  expect(() => take(A, "/one-more", "0")).toThrow(expect.objectContaining({ code: "too_many_requests" }));
  expect(take(B, "/one-more", "0").owner).toBe(B);
});
