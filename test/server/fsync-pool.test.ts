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

/** A pool of stand-in threads (test/fixtures/fsync/stand-in.worker.ts): fd -1 dies, -2 is held, -3 answers what its thread holds, -4 what all hold. */
function standIns(size: number, idleMs = 60_000): FsyncPool {
  const p = new FsyncPool(size, idleMs, new URL("../fixtures/fsync/stand-in.worker.ts", import.meta.url).href);
  pools.push(p);
  return p;
}

/** Which thread answered (the stand-in answers with its name as the code), or "pending" if nothing came within `withinMs` (long by default: an answer that must come may be slow on a busy machine). */
async function answeredBy(flush: Promise<void>, withinMs = 10_000): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Promise<string>((resolve) => (timer = setTimeout(() => resolve("pending"), withinMs)));
  const answer = flush.then(
    () => "flushed",
    (err: NodeJS.ErrnoException) => `${err.code ?? ""}|${err.message}`,
  );
  try {
    return await Promise.race([answer, pending]);
  } finally {
    clearTimeout(timer);
  }
}

test("a flush goes to an idle thread first, then to the least busy; each answer names its thread", async () => {
  const p = standIns(2);
  const first = p.sync(-2); // held on a first thread
  const second = p.sync(-2); // that one is busy: a second thread starts
  const third = p.sync(-2); // both hold one: the first of them takes it
  const release = p.sync(-3); // the least busy (the second, holding one) answers its own
  const [r2, rr] = await Promise.all([answeredBy(second), answeredBy(release)]);
  expect(r2).toMatch(/^thread-\w+\|thread-\w+$/); // the code is the thread's name, and so is the message
  expect(rr).toBe(r2);
  expect(await answeredBy(first, 50)).toBe("pending");
  expect(await answeredBy(third, 50)).toBe("pending");
  expect(p.running()).toBe(2);
  const release2 = p.sync(-3); // the second thread is idle again: it takes this one, not the first (holding two)
  expect(await answeredBy(release2)).toBe(r2);
  p.stop();
  expect(await answeredBy(first)).toBe("|the fsync pool was stopped");
  expect(await answeredBy(third)).toBe("|the fsync pool was stopped");
  expect(p.running()).toBe(0);
});

test("a pool used again after a stop forgets what the stop failed: its threads end when idle", async () => {
  const p = standIns(1, 40);
  const held = p.sync(-2);
  p.stop();
  expect(await answeredBy(held)).toBe("|the fsync pool was stopped");
  expect(await answeredBy(p.sync(0))).toMatch(/^thread-\w+\|/);
  for (let i = 0; i < 100 && p.running() > 0; i++) await Bun.sleep(10);
  expect(p.running()).toBe(0);
});

test("a thread that dies fails the flushes it held with its words, not another's; the next flush starts afresh", async () => {
  const p = standIns(2, 40);
  const held = p.sync(-2); // on the first thread
  const dying = p.sync(-1); // on a second thread, which dies
  expect(await answeredBy(dying)).toMatch(/^\|fsync thread failed: [\s\S]*the stand-in thread died/);
  expect(await answeredBy(held, 100)).toBe("pending");
  expect(p.running()).toBe(1);
  const next = p.sync(-2); // the first thread is busy: a new one starts (and holds this one)
  expect(await answeredBy(next, 100)).toBe("pending");
  expect(p.running()).toBe(2);
  // Both alive threads hold one: the next flush goes to one of them, never to the dead one.
  expect(await answeredBy(p.sync(0))).toMatch(/^thread-\w+\|/);
  // A flush still held keeps every thread past the idle time…
  await Bun.sleep(150);
  expect(p.running()).toBe(2);
  // …and once it is answered, they end after it.
  const release = p.sync(-4);
  expect(await answeredBy(release)).toMatch(/^thread-\w+\|/);
  expect(await answeredBy(held)).toMatch(/^thread-\w+\|/);
  expect(await answeredBy(next)).toMatch(/^thread-\w+\|/);
  for (let i = 0; i < 100 && p.running() > 0; i++) await Bun.sleep(10);
  expect(p.running()).toBe(0);
});

/** The OS thread behind a stand-in's answer or dying words ("thread-<tid>"). */
function threadOf(answer: string): string {
  const tid = /thread-(\d+)/.exec(answer)?.[1];
  if (!tid) throw new Error(`no thread named in ${JSON.stringify(answer)}`);
  return tid;
}

/** Is that OS thread still in this process? With `waitUntilGone`, first waits (bounded) for it to end. */
async function threadAlive(tid: string, waitUntilGone = false): Promise<boolean> {
  for (let i = 0; waitUntilGone && i < 500 && existsSync(`/proc/self/task/${tid}`); i++) await Bun.sleep(10);
  return existsSync(`/proc/self/task/${tid}`);
}

/** Two threads of `p`, named by their answers: the second flush is sent while the first thread is busy. */
async function twoThreads(p: FsyncPool): Promise<string[]> {
  const threads = (await Promise.all([answeredBy(p.sync(0)), answeredBy(p.sync(0))])).map(threadOf);
  expect(new Set(threads).size).toBe(2);
  return threads;
}

test("threads the pool lets go end in the OS too: after the idle time, after a stop, after a death", async () => {
  const idle = standIns(2, 50);
  const retired = await twoThreads(idle);
  expect(await Promise.all(retired.map((t) => threadAlive(t)))).toEqual([true, true]);
  expect(await Promise.all(retired.map((t) => threadAlive(t, true)))).toEqual([false, false]);

  const stopped = standIns(2);
  const threads = await twoThreads(stopped);
  await Bun.sleep(100); // this pool's idle time is a minute: its threads stay
  expect(await Promise.all(threads.map((t) => threadAlive(t)))).toEqual([true, true]);
  stopped.stop();
  expect(await Promise.all(threads.map((t) => threadAlive(t, true)))).toEqual([false, false]);

  const dying = standIns(2);
  const [holder, other] = await twoThreads(dying);
  const held = answeredBy(dying.sync(-2)); // both are idle: the first takes it, and holds it
  const died = threadOf(await answeredBy(dying.sync(-1))); // the other takes this one, and dies
  expect(died).toBe(other!);
  expect(await threadAlive(died, true)).toBe(false);
  expect(await threadAlive(holder!)).toBe(true);
  dying.stop();
  expect(await held).toBe("|the fsync pool was stopped");
  expect(await threadAlive(holder!, true)).toBe(false);
});
