// Group commit (server/fs/shared-flush.ts): a caller is answered only by a flush of its path
// that began after it asked; callers during a flush share the next one; failures reach everyone a
// flush covered; nothing is kept once all settle.
import { expect, test } from "bun:test";
import { SharedFlush } from "../../server/fs/shared-flush.ts";

/** A flush the test ends by hand, recording when each began. */
function manualFlush() {
  const begun: { dir: string; end: (err?: Error) => void }[] = [];
  const flush = (dir: string) =>
    new Promise<void>((resolve, reject) => {
      begun.push({ dir, end: (err) => (err ? reject(err) : resolve()) });
    });
  return { begun, flush };
}

/** Which of these promises have settled, after the microtasks run. */
async function settled(...ps: Promise<unknown>[]): Promise<boolean[]> {
  const done = ps.map(() => false);
  ps.forEach((p, i) =>
    p.then(
      () => (done[i] = true),
      () => (done[i] = true),
    ),
  );
  await Bun.sleep(0);
  return done;
}

test("a lone caller gets its own flush; the folder is forgotten after it", async () => {
  const { begun, flush } = manualFlush();
  const f = new SharedFlush(flush);
  const a = f.flushed("/d");
  expect(begun.map((b) => b.dir)).toEqual(["/d"]);
  expect(await settled(a)).toEqual([false]);
  begun[0]!.end();
  await a;
  expect(f.busy()).toBe(0);
});

test("callers during a flush are not answered by it: they share one flush that begins after it", async () => {
  const { begun, flush } = manualFlush();
  const f = new SharedFlush(flush);
  const first = f.flushed("/d");
  const during = [f.flushed("/d"), f.flushed("/d"), f.flushed("/d")];
  expect(begun).toHaveLength(1);
  begun[0]!.end();
  await first;
  expect(await settled(...during)).toEqual([false, false, false]);
  expect(begun).toHaveLength(2); // one flush for the three
  const late = f.flushed("/d"); // asked during the second: waits for a third
  expect(begun).toHaveLength(2); // never two flushes of one path at once
  begun[1]!.end();
  await Promise.all(during);
  expect(await settled(late)).toEqual([false]);
  expect(begun).toHaveLength(3);
  begun[2]!.end();
  await late;
  expect(f.busy()).toBe(0);
});

test("paths are flushed apart: one path's flush never answers another's caller", async () => {
  const { begun, flush } = manualFlush();
  const f = new SharedFlush(flush);
  const a = f.flushed("/a");
  const b = f.flushed("/b");
  expect(begun.map((x) => x.dir)).toEqual(["/a", "/b"]);
  begun[0]!.end();
  expect(await settled(a, b)).toEqual([true, false]);
  begun[1]!.end();
  await b;
});

test("a failed flush fails every caller it covered; the next callers get a flush of their own", async () => {
  const { begun, flush } = manualFlush();
  const f = new SharedFlush(flush);
  const first = f.flushed("/d");
  const second = [f.flushed("/d"), f.flushed("/d")];
  begun[0]!.end(Object.assign(new Error("EIO"), { code: "EIO" }));
  await expect(first).rejects.toMatchObject({ code: "EIO" });
  await Bun.sleep(0);
  expect(begun).toHaveLength(2); // a failure ahead of them does not answer them
  begun[1]!.end(new Error("ENOSPC"));
  for (const p of second) await expect(p).rejects.toThrow("ENOSPC");
  expect(f.busy()).toBe(0);
  const after = f.flushed("/d");
  begun[2]!.end();
  await after;
});

test("real folders: many writers at once share a few fsyncs", async () => {
  const { mkdtempSync, writeFileSync, renameSync, rmSync, openSync, closeSync, fsyncSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "pc2-flusher-"));
  let flushes = 0;
  const f = new SharedFlush(async (d) => {
    flushes++;
    await Bun.sleep(5); // a disk that takes its time
    const fd = openSync(d, "r");
    fsyncSync(fd);
    closeSync(fd);
  });
  try {
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        writeFileSync(join(dir, `t${i}`), "x");
        renameSync(join(dir, `t${i}`), join(dir, `f${i}`));
        await f.flushed(dir);
      }),
    );
    expect(flushes).toBe(2); // the first caller's, and one shared by the other 99
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
