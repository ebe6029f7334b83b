// The node's fsync threads (server/fs/fsync-pool.ts): flushes answer, fail with the system's code,
// run side by side on threads that start on demand and end when idle, and never keep a finished
// process alive nor let one end before its flush is done.
import { afterEach, expect, test } from "bun:test";
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { FsyncPool } from "../../server/fs/fsync-pool.ts";
import { makeTempDir } from "../helpers/temp-dir.ts";

const pools: FsyncPool[] = [];
const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const p of pools.splice(0)) p.stop();
  for (const d of dirs.splice(0)) d.remove();
});

function pool(size: number, idleMs: number): FsyncPool {
  const p = new FsyncPool(size, idleMs);
  pools.push(p);
  return p;
}

function openFiles(n: number): number[] {
  const dir = makeTempDir();
  dirs.push(dir);
  return Array.from({ length: n }, (_, i) => {
    const fd = openSync(join(dir.path, `f${i}`), "w");
    writeSync(fd, `file ${i}`);
    return fd;
  });
}

test("no thread runs until the first flush; then flushes answer, up to `size` threads side by side", async () => {
  const p = pool(3, 60_000);
  expect(p.running()).toBe(0);
  const fds = openFiles(20);
  try {
    await Promise.all(fds.map((fd) => p.sync(fd)));
    expect(p.running()).toBeGreaterThanOrEqual(1);
    expect(p.running()).toBeLessThanOrEqual(3);
    // Twenty at once need more than one thread: the first is busy when the second arrives.
    await Promise.all(fds.map((fd) => p.sync(fd)));
    expect(p.running()).toBe(3);
  } finally {
    for (const fd of fds) closeSync(fd);
  }
});

test("a flush that fails rejects with the code node:fs gives, and the pool goes on", async () => {
  const p = pool(2, 60_000);
  // A character device cannot be flushed (a closed descriptor would not do: its number is soon reused).
  const fd = openSync("/dev/null", "r");
  let direct = "";
  try {
    fsyncSync(fd);
  } catch (e) {
    direct = (e as NodeJS.ErrnoException).code!;
  }
  expect(direct).toBe("EINVAL");
  const err = (await p.sync(fd).catch((e) => e)) as NodeJS.ErrnoException;
  closeSync(fd);
  expect(err).toBeInstanceOf(Error);
  expect(err.code).toBe(direct);
  const [good] = openFiles(1);
  await p.sync(good!);
  closeSync(good!);
});

test("a file created whole on a thread: the chunks' own bytes (a view of a larger buffer too), owner-only, never over an existing file", async () => {
  const p = pool(2, 60_000);
  const dir = makeTempDir();
  dirs.push(dir);
  const big = new Uint8Array(1 << 20).fill(9);
  const view = big.subarray(10, 13).fill(5);
  const first = new Uint8Array([1, 2]);
  const path = join(dir.path, "new.bin");
  await p.createFile(path, [first, view]);
  expect([...readFileSync(path)]).toEqual([1, 2, 5, 5, 5]);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  // The caller's buffers are still theirs (the file's bytes went over as a copy of their own).
  expect([first.byteLength, big.byteLength]).toEqual([2, 1 << 20]);
  expect(((await p.createFile(path, [first]).catch((e) => e)) as NodeJS.ErrnoException).code).toBe("EEXIST");
  expect([...readFileSync(path)]).toEqual([1, 2, 5, 5, 5]);
  expect(((await p.createFile(join(dir.path, "no", "such"), [first]).catch((e) => e)) as NodeJS.ErrnoException).code).toBe("ENOENT");
});

test("a move on a thread: renamed, its new folder made owner-only when missing; a missing file is ENOENT", async () => {
  const p = pool(2, 60_000);
  const dir = makeTempDir();
  dirs.push(dir);
  const from = join(dir.path, "tmp-file");
  await p.createFile(from, [new Uint8Array([4, 2])]);
  const to = join(dir.path, "ab", "blob");
  await p.move(from, to);
  expect([existsSync(from), [...readFileSync(to)]]).toEqual([false, [4, 2]]);
  expect(statSync(join(dir.path, "ab")).mode & 0o777).toBe(0o700);
  expect(((await p.move(from, to).catch((e) => e)) as NodeJS.ErrnoException).code).toBe("ENOENT");
  expect([...readFileSync(to)]).toEqual([4, 2]);
});

test("threads end after the idle time without a flush, and start again on the next one", async () => {
  const p = pool(2, 50);
  const [fd] = openFiles(1);
  try {
    await p.sync(fd!);
    expect(p.running()).toBe(1);
    for (let i = 0; i < 100 && p.running() > 0; i++) await Bun.sleep(10);
    expect(p.running()).toBe(0);
    await p.sync(fd!);
    expect(p.running()).toBe(1);
  } finally {
    closeSync(fd!);
  }
});

test("a flush in the idle window keeps the threads", async () => {
  const p = pool(1, 150);
  const [fd] = openFiles(1);
  try {
    await p.sync(fd!);
    await Bun.sleep(100);
    await p.sync(fd!);
    await Bun.sleep(100);
    // 200 ms since the first flush, 100 ms since the last: still within the idle time.
    expect(p.running()).toBe(1);
  } finally {
    closeSync(fd!);
  }
});

test("a flush under way when the idle time would end keeps its thread, and answers", async () => {
  const p = pool(1, 30);
  const fds = openFiles(2);
  try {
    await p.sync(fds[0]!);
    // 20 ms into the 30 ms idle time, a flush of 64 MiB (far longer than 10 ms on any disk).
    await Bun.sleep(20);
    writeSync(fds[1]!, new Uint8Array(64 * 1024 * 1024).fill(1));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([p.sync(fds[1]!).then(() => "flushed"), new Promise((r) => (timer = setTimeout(() => r("no answer"), 20_000)))]);
    clearTimeout(timer);
    expect(outcome).toBe("flushed");
  } finally {
    for (const fd of fds) closeSync(fd);
  }
});

test("stop ends every thread and fails flushes still waiting", async () => {
  const p = pool(1, 60_000);
  const fds = openFiles(5);
  try {
    const waiting = fds.map((fd) =>
      p.sync(fd).then(
        () => "done",
        (e: Error) => e.message,
      ),
    );
    p.stop();
    const outcomes = await Promise.all(waiting);
    expect(outcomes).toEqual(fds.map(() => "the fsync pool was stopped"));
    expect(p.running()).toBe(0);
  } finally {
    for (const fd of fds) closeSync(fd);
  }
});

test("a process waiting only on a flush lives until it answers, and ends once it has", async () => {
  const dir = makeTempDir();
  dirs.push(dir);
  const started = performance.now();
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "..", "fixtures", "processes", "fsync-then-exit.ts"), join(dir.path, "f")], { stdout: "pipe", stderr: "pipe" });
  const killer = setTimeout(() => proc.kill("SIGKILL"), 8_000);
  const code = await proc.exited;
  clearTimeout(killer);
  expect(await new Response(proc.stdout).text()).toBe("flushed\n");
  expect(code).toBe(0);
  // Idle threads hold nothing: it ends long before the pool's 10 s idle time.
  expect(performance.now() - started).toBeLessThan(8_000);
});
