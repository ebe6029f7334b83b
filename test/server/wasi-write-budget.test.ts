// The in-sandbox write budget at its edges: exactly the cap is allowed, one byte or one file more is not.
import { expect, test } from "bun:test";
import { WriteBudget, WriteBudgetExceeded } from "../../workers/wasi-write-budget.ts";

const memory = new WebAssembly.Memory({ initial: 1 });
const calls: string[] = [];
/** WASI that succeeds (errno 0) and records each call. */
const wasi = {
  fd_write: () => (calls.push("fd_write"), 0),
  fd_pwrite: () => (calls.push("fd_pwrite"), 0),
  fd_allocate: () => (calls.push("fd_allocate"), 0),
  fd_filestat_set_size: () => (calls.push("fd_filestat_set_size"), 0),
  path_open: () => (calls.push("path_open"), 0),
  path_create_directory: () => (calls.push("path_create_directory"), 0),
};

/** One iovec at offset 0 of `len` bytes (the budget reads only the lengths). */
function iovec(len: number): number {
  new DataView(memory.buffer).setUint32(4, len, true);
  return 0;
}
/** A path at offset 64 in guest memory. */
function path(name: string): [number, number] {
  const bytes = new TextEncoder().encode(name);
  new Uint8Array(memory.buffer, 64, bytes.length).set(bytes);
  return [64, bytes.length];
}

test("file bytes up to the cap pass through; one more byte is refused before the write", () => {
  const budget = new WriteBudget(100, 10, () => memory);
  const g = budget.wrap(wasi);
  calls.length = 0;
  g.fd_write!(3, iovec(60), 1, 0);
  g.fd_pwrite!(3, iovec(40), 1, 0n, 0);
  expect(budget.written()).toBe(100);
  expect(() => g.fd_write!(3, iovec(1), 1, 0)).toThrow(WriteBudgetExceeded);
  expect(calls).toEqual(["fd_write", "fd_pwrite"]);
});

test("stdout and stderr are not charged (the node caps them), every other descriptor is", () => {
  const budget = new WriteBudget(10, 10, () => memory);
  const g = budget.wrap(wasi);
  g.fd_write!(1, iovec(1000), 1, 0);
  g.fd_write!(2, iovec(1000), 1, 0);
  expect(budget.written()).toBe(0);
  expect(() => g.fd_write!(3, iovec(11), 1, 0)).toThrow(WriteBudgetExceeded);
});

test("growing a file counts: a size or allocation of exactly the cap passes, one more does not", () => {
  expect(() => new WriteBudget(100, 10, () => memory).wrap(wasi).fd_filestat_set_size!(3, 100n)).not.toThrow();
  expect(() => new WriteBudget(100, 10, () => memory).wrap(wasi).fd_filestat_set_size!(3, 101n)).toThrow(WriteBudgetExceeded);
  expect(() => new WriteBudget(100, 10, () => memory).wrap(wasi).fd_allocate!(3, 40n, 60n)).not.toThrow();
  expect(() => new WriteBudget(100, 10, () => memory).wrap(wasi).fd_allocate!(3, 40n, 61n)).toThrow(WriteBudgetExceeded);
});

test("files and folders created up to the cap pass; the next one is refused; reopening one is free", () => {
  const budget = new WriteBudget(1 << 20, 3, () => memory);
  const g = budget.wrap(wasi);
  const CREAT = 1;
  g.path_open!(3, 0, ...path("a.txt"), CREAT);
  g.path_create_directory!(3, ...path("dir"));
  g.path_open!(3, 0, ...path("b.txt"), CREAT);
  g.path_open!(3, 0, ...path("a.txt"), CREAT);
  g.path_open!(3, 0, ...path("c.txt"), 0); // opening without O_CREAT creates nothing
  expect(() => g.path_open!(3, 0, ...path("d.txt"), CREAT)).toThrow(WriteBudgetExceeded);
  expect(() => g.path_create_directory!(3, ...path("e"))).toThrow(WriteBudgetExceeded);
});

test("a call that fails (an errno: refused, read-only, a bad descriptor) wrote or made nothing and is not charged", () => {
  const ROFS = 69;
  const refusing = Object.fromEntries(Object.keys(wasi).map((name) => [name, () => ROFS]));
  const budget = new WriteBudget(100, 1, () => memory);
  const g = budget.wrap(refusing);
  const CREAT = 1;
  expect(g.fd_write!(3, iovec(60), 1, 0)).toBe(ROFS);
  expect(g.fd_pwrite!(3, iovec(60), 1, 0n, 0)).toBe(ROFS);
  expect(g.fd_allocate!(3, 0n, 100n)).toBe(ROFS);
  expect(g.fd_filestat_set_size!(3, 100n)).toBe(ROFS);
  expect(budget.written()).toBe(0);
  expect(g.path_open!(3, 0, ...path("a.txt"), CREAT)).toBe(ROFS);
  expect(g.path_create_directory!(3, ...path("dir"))).toBe(ROFS);
  // Nothing was spent: the whole budget is still there.
  const ok = budget.wrap(wasi);
  ok.fd_write!(3, iovec(100), 1, 0);
  expect(budget.written()).toBe(100);
  ok.path_open!(3, 0, ...path("b.txt"), CREAT);
  expect(() => ok.path_create_directory!(3, ...path("c"))).toThrow(WriteBudgetExceeded);
  // Over the cap, a call is refused before it runs, whatever it would have answered.
  expect(() => g.fd_write!(3, iovec(1), 1, 0)).toThrow(WriteBudgetExceeded);
  expect(budget.written()).toBe(100);
});

test("a write of several iovecs is charged their sum, and only the count given", () => {
  const budget = new WriteBudget(100, 10, () => memory);
  const g = budget.wrap(wasi);
  const view = new DataView(memory.buffer);
  // Three iovecs from offset 16: 30 and 20 bytes, then one the call does not include.
  for (const [i, len] of [30, 20, 1000].entries()) view.setUint32(16 + i * 8 + 4, len, true);
  g.fd_write!(3, 16, 2, 0);
  expect(budget.written()).toBe(50);
  g.fd_pwrite!(3, 16, 2, 0n, 0);
  expect(budget.written()).toBe(100);
});

test("the refusals say which cap, with its size", () => {
  const bytes = new WriteBudget(10, 1, () => memory).wrap(wasi);
  expect(() => bytes.fd_write!(3, iovec(11), 1, 0)).toThrow("The app wrote more than 10 bytes of files (its files live in memory)");
  const entries = new WriteBudget(10, 1, () => memory).wrap(wasi);
  entries.path_create_directory!(3, ...path("a"));
  expect(() => entries.path_create_directory!(3, ...path("b"))).toThrow("The app created more than 1 files and folders");
});

test("every other import is passed through untouched", () => {
  const fdRead = () => "read";
  const g = new WriteBudget(10, 1, () => memory).wrap({ ...wasi, fd_read: fdRead });
  expect(g.fd_read).toBe(fdRead);
});
