// Durability is the order of the steps, not only their presence in the code: bytes flushed, the file
// closed, renamed into place, its folder flushed, and only then the index committed. A recording of
// the steps as they run (server/fs/durable-steps.ts) fails this test when any step goes missing or
// moves (a page cache that outlives a killed process hides that from crash tests).
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { writeFileAtomic, writeFileAtomicAsync } from "../../../server/fs/atomic-write.ts";
import { durable } from "../../../server/fs/durable-steps.ts";
import { INLINE_MAX_BYTES } from "../../../server/services/files/inline-blobs.ts";
import { filesClient } from "../../helpers/files-client.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { appFetcher, claimOwner, json, type SignedIn } from "../../helpers/wallet-auth.ts";

type Step = { step: string; path: string; at?: unknown };
const original = { ...durable };
let steps: Step[] = [];
/** What else to note at each step (e.g. whether the index already has the file). */
let observe: () => unknown = () => undefined;

function record(): void {
  steps = [];
  durable.createFileAsync = (p, bytes) => (steps.push({ step: "create", path: p, at: observe() }), original.createFileAsync(p, bytes));
  durable.syncHandle = (h, p) => (steps.push({ step: "sync", path: p, at: observe() }), original.syncHandle(h, p));
  durable.closeHandle = (h, p) => (steps.push({ step: "close", path: p, at: observe() }), original.closeHandle(h, p));
  durable.syncFd = (fd, p) => (steps.push({ step: "sync", path: p, at: observe() }), original.syncFd(fd, p));
  durable.closeFd = (fd, p) => (steps.push({ step: "close", path: p, at: observe() }), original.closeFd(fd, p));
  durable.rename = (from, to) => (steps.push({ step: "rename", path: `${from} -> ${to}`, at: observe() }), original.rename(from, to));
  durable.renameAsync = (from, to) => (steps.push({ step: "rename", path: `${from} -> ${to}`, at: observe() }), original.renameAsync(from, to));
  durable.fsyncDir = (dir) => (steps.push({ step: "fsync-dir", path: dir, at: observe() }), original.fsyncDir(dir));
  durable.fsyncDirAsync = (dir) => (steps.push({ step: "fsync-dir", path: dir, at: observe() }), original.fsyncDirAsync(dir));
  durable.syncFileAsync = (path) => (steps.push({ step: "sync-file", path, at: observe() }), original.syncFileAsync(path));
}
afterEach(() => {
  Object.assign(durable, original);
  observe = () => undefined;
});

let t: TestNode;
let owner: SignedIn;
beforeAll(async () => {
  t = await startTestNode();
  owner = await claimOwner(appFetcher(t.node.app), t.started.setup.code!);
});
afterAll(() => t.stop());

test.each([
  ["writeFileAtomic", async (path: string) => writeFileAtomic(path, new Uint8Array([1, 2, 3]))],
  ["writeFileAtomicAsync (backup chunks)", (path: string) => writeFileAtomicAsync(path, new Uint8Array([1, 2, 3]))],
] as const)("%s: bytes flushed → closed → renamed over the target → folder flushed", async (_name, write) => {
  const dir = makeTempDir();
  try {
    const target = join(dir.path, "settings.json");
    record();
    await write(target);
    const tmp = steps[0]!.path;
    expect(dirname(tmp)).toBe(dir.path);
    expect(steps.map((s) => [s.step, s.path])).toEqual([
      ["sync", tmp],
      ["close", tmp],
      ["rename", `${tmp} -> ${target}`],
      ["fsync-dir", dir.path],
    ]);
    expect([...readFileSync(target)]).toEqual([1, 2, 3]);
  } finally {
    dir.remove();
  }
});

// Both ways a body reaches its temp file: held and created whole (written, flushed and closed on an
// fsync thread: one step), or streamed.
test.each([
  ["an upload too large to be kept inline (created whole)", INLINE_MAX_BYTES + 1, ["create"]],
  ["a streamed upload", 2_500_000, ["sync", "close"]],
] as const)("%s: flushed → closed → renamed into the wallet's blobs → folder flushed, and only then indexed; answered once the index is flushed", async (_name, bytes, received) => {
  const db = new Database(join(t.dataDir, "pc2.db"), { readonly: true });
  const name = `durable-${bytes}.bin`;
  try {
    observe = () => db.query("SELECT count(*) AS n FROM fs_entries WHERE name = ?").get(name) as { n: number };
    record();
    const res = await filesClient(appFetcher(t.node.app), owner).write("~/Documents", name, new Uint8Array(bytes).fill(7));
    expect(res.status).toBe(200);
    expect(steps.map((s) => s.step)).toEqual([...received, "rename", "fsync-dir", "sync-file"]);
    const [rename, fsyncDir, indexFlush] = steps.slice(received.length);
    const tmp = steps[0]!.path;
    expect(basename(tmp)).toStartWith("upload-");
    for (const s of steps.slice(0, received.length)) expect(s.path).toBe(tmp);
    expect(rename!.path).toStartWith(`${tmp} -> ${join(t.dataDir, "files", owner.address)}`);
    expect(rename!.path.split(" -> ")[1]!.startsWith(fsyncDir!.path + "/")).toBe(true);
    // Not one step before the last saw the file in the index: the index commit comes after them,
    // and then its WAL is flushed (a power cut after the answer keeps the file).
    expect(steps.map((s) => (s.at as { n: number }).n)).toEqual([...received.map(() => 0), 0, 0, 1]);
    expect(indexFlush!.path).toBe(join(t.dataDir, "pc2.db-wal"));
    expect((observe() as { n: number }).n).toBe(1);
  } finally {
    db.close();
  }
});

test("a small upload (kept in the database): no file, no temp file; its bytes and its row in one commit, answered once that commit is flushed", async () => {
  const db = new Database(join(t.dataDir, "pc2.db"), { readonly: true });
  const name = "durable-inline.bin";
  try {
    observe = () =>
      db.query("SELECT count(*) AS n, (SELECT count(*) FROM inline_blobs i JOIN fs_entries e ON e.blob = i.blob WHERE e.name = ?) AS bytes FROM fs_entries WHERE name = ?").get(name, name);
    record();
    const res = await filesClient(appFetcher(t.node.app), owner).write("~/Documents", name, new Uint8Array(INLINE_MAX_BYTES).fill(9));
    expect(res.status).toBe(200);
    // One step: the WAL flushed, after the commit that holds the row and its bytes together.
    expect(steps.map((s) => [s.step, s.path, s.at])).toEqual([["sync-file", join(t.dataDir, "pc2.db-wal"), { n: 1, bytes: 1 }]]);
    const blob = (db.query("SELECT blob FROM fs_entries WHERE name = ?").get(name) as { blob: string }).blob;
    expect(blob).toMatch(/^i[0-9a-f]{31}$/);
    expect(existsSync(join(t.dataDir, "files", owner.address, blob.slice(0, 2)))).toBe(false);
  } finally {
    db.close();
  }
});

test("a resumable chunk is flushed before its offset is recorded", async () => {
  const f = appFetcher(t.node.app);
  const created = await (await f("/api/files/uploads", json({ path: "~/Documents/resumed.bin", size: 10 }, owner.bearer))).json();
  const db = new Database(join(t.dataDir, "pc2.db"), { readonly: true });
  try {
    observe = () => (db.query("SELECT received FROM uploads WHERE id = ?").get(created.id) as { received: number }).received;
    record();
    const put = await f(`/api/files/uploads/${created.id}?offset=0`, { method: "PUT", headers: { ...owner.bearer, "content-type": "application/octet-stream" }, body: new Uint8Array(10) });
    expect(put.status).toBe(200);
    expect(steps.map((s) => [s.step, s.at])).toEqual([["sync", 0]]);
    expect(observe()).toBe(10);
  } finally {
    db.close();
  }
});

test("a copy of a small file is a row of bytes in the commit that indexes it: nothing to flush on its own", async () => {
  const f = appFetcher(t.node.app);
  expect((await filesClient(f, owner).write("~/Documents", "small-to-copy.bin", new Uint8Array(4096).fill(4))).status).toBe(200);
  record();
  const res = await f("/copy", json({ source: "~/Documents/small-to-copy.bin", destination: "~/Desktop", new_name: "small-copied.bin" }, owner.bearer));
  expect(res.status).toBe(200);
  expect(steps).toEqual([]);
  const read = await f(`/read?file=${encodeURIComponent("~/Desktop/small-copied.bin")}`, { headers: owner.bearer });
  expect(new Uint8Array(await read.arrayBuffer())).toEqual(new Uint8Array(4096).fill(4));
});

test("a copy: its blob's folder is flushed before the copy is indexed (a hard link's name is not on the disk until then)", async () => {
  const f = appFetcher(t.node.app);
  expect((await filesClient(f, owner).write("~/Documents", "to-copy.bin", new Uint8Array(INLINE_MAX_BYTES + 1).fill(3))).status).toBe(200);
  const db = new Database(join(t.dataDir, "pc2.db"), { readonly: true });
  try {
    observe = () => db.query("SELECT count(*) AS n FROM fs_entries WHERE name = 'copied.bin'").get() as { n: number };
    record();
    const res = await f("/copy", json({ source: "~/Documents/to-copy.bin", destination: "~/Desktop", new_name: "copied.bin" }, owner.bearer));
    expect(res.status).toBe(200);
    const [{ copied }] = (await res.json()) as [{ copied: { uid: string } }];
    const blob = (db.query("SELECT blob FROM fs_entries WHERE uid = ?").get(copied.uid) as { blob: string }).blob;
    expect(steps.map((s) => [s.step, s.path, (s.at as { n: number }).n])).toEqual([["fsync-dir", join(t.dataDir, "files", owner.address, blob.slice(0, 2)), 0]]);
    expect((observe() as { n: number }).n).toBe(1);
  } finally {
    db.close();
  }
});
