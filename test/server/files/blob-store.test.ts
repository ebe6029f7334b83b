// The blob store on its own (server/services/files/blob-store.ts): where bytes go while they arrive
// and after, what is refused and how, and what a backup's hold keeps.
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { durable } from "../../../server/fs/durable-steps.ts";
import { BlobStore, type Received } from "../../../server/services/files/blob-store.ts";
import { INLINE_MAX_BYTES } from "../../../server/services/files/inline-blobs.ts";
import { inlineBlobsIn } from "../../helpers/inline-blobs.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";

const KiB = 1024;
/** A body just too large to be kept inline: it gets a file. */
const FILE = INLINE_MAX_BYTES + 1;
const original = { ...durable };
const dirs: { remove(): void }[] = [];
/** The prototype of node:fs/promises' FileHandle, whose writev a test may make short or fail. */
const handleProto = Object.getPrototypeOf(await open("/dev/null", "r").then(async (h) => (await h.close(), h)));
const writev = handleProto.writev;
afterEach(() => {
  handleProto.writev = writev;
  Object.assign(durable, original);
  for (const d of dirs.splice(0)) d.remove();
});

function store(): BlobStore {
  const d = makeTempDir();
  dirs.push(d);
  return new BlobStore(join(d.path, "data", "files"), join(d.path, "data", "tmp"), inlineBlobsIn(d.path));
}

/** The temp file of a body received into one (not kept inline). */
function onDisk(r: Received): string {
  if (!("tmp" in r)) throw new Error(`a body of ${r.size} bytes was held inline, not written`);
  return r.tmp;
}

async function* body(size: number, chunk = 64 * KiB): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < size; sent += chunk) yield new Uint8Array(Math.min(chunk, size - sent)).fill(sent / chunk + 1);
}

const refusal = async (p: Promise<unknown>) => {
  const e = (await p.then(
    () => null,
    (err) => err,
  )) as { status: number; code: string; message: string; extra: Record<string, unknown> } | null;
  return e && { status: e.status, code: e.code, message: e.message, extra: e.extra };
};

test("its folders are made on construction, owner-only, parents included", () => {
  const s = store();
  for (const dir of [s.filesDir, s.tmpDir]) expect(statSync(dir).mode & 0o777).toBe(0o700);
});

test("a body of up to 256 KiB is held and its file created whole on a thread (written, flushed, closed); one byte more is streamed (a file handle flushed)", async () => {
  const s = store();
  const seen: string[] = [];
  durable.createFileAsync = (p, bytes) => (seen.push("created"), original.createFileAsync(p, bytes));
  durable.syncHandle = (h, p) => (seen.push("handle"), original.syncHandle(h, p));
  for (const size of [256 * KiB, 256 * KiB + 1, FILE]) {
    const r = await s.receive(body(size), 1 << 30);
    expect(statSync(onDisk(r)).size).toBe(size);
    expect(r.size).toBe(size);
  }
  expect(seen).toEqual(["created", "handle", "created"]);
});

test("a body of up to 64 KiB is held and returned as it is, hashed: no file, no flush, nothing in the temp folder", async () => {
  const s = store();
  const seen: string[] = [];
  durable.createFileAsync = (p, bytes) => (seen.push("created"), original.createFileAsync(p, bytes));
  for (const [size, chunk] of [
    [0, 64 * KiB],
    [1, 64 * KiB],
    [INLINE_MAX_BYTES, 64 * KiB],
    [INLINE_MAX_BYTES, 10_000],
  ] as const) {
    const r = await s.receive(body(size, chunk), 1 << 30);
    if (!("bytes" in r)) throw new Error(`${size} bytes went to a file`);
    expect(r.size).toBe(size);
    const expected = Buffer.concat([...Array(Math.ceil(size / chunk)).keys()].map((i) => new Uint8Array(Math.min(chunk, size - i * chunk)).fill(i + 1)));
    expect(Buffer.from(r.bytes)).toEqual(expected);
    expect(Buffer.from(r.sha256).toString("hex")).toBe(createHash("sha256").update(expected).digest("hex"));
  }
  expect(seen).toEqual([]);
  expect(readdirSync(s.tmpDir)).toEqual([]);
});

test("inline blobs: kept with their owner, read back, copied for another wallet, never another's; removal waits for a backup's hold", async () => {
  const s = store();
  const bytes = new Uint8Array([1, 2, 3, 250]);
  const blob = s.commitInline("0xa", bytes);
  expect(blob).toMatch(/^i[0-9a-f]{31}$/);
  expect(new Uint8Array(await s.file("0xa", blob).arrayBuffer())).toEqual(bytes);
  expect(s.source("0xa", blob)).toEqual({ bytes });
  // Another wallet's name for the same blob finds nothing.
  expect(s.source("0xb", blob)).toBeNull();
  expect(() => s.file("0xb", blob)).toThrow("missing");
  expect(() => s.path("0xa", blob)).toThrow("inline");
  const copy = s.duplicate("0xa", blob, "0xb");
  expect(copy).not.toBe(blob);
  expect(s.source("0xb", copy)).toEqual({ bytes });
  expect(() => s.duplicate("0xb", blob, "0xc")).toThrow("missing");
  s.flushFolders("0xb", [copy]); // no folder to flush: not an error
  const release = s.holdRemovals();
  s.remove("0xa", blob);
  expect(s.source("0xa", blob)).toEqual({ bytes });
  release();
  expect(s.source("0xa", blob)).toBeNull();
  expect(s.inline.all()).toEqual([{ blob: copy, owner: "0xb", size: 4 }]);
  expect(readdirSync(s.filesDir)).toEqual([]);
});

test("every byte arrives in order, across 1 MiB write runs and a final partial one", async () => {
  const s = store();
  const size = 2 * 1024 * KiB + 12_345;
  const r = await s.receive(body(size, 50_000), 1 << 30);
  const bytes = readFileSync(onDisk(r));
  expect(bytes.length).toBe(size);
  for (let at = 0; at < size; at += 50_000) expect(bytes[at]).toBe((at / 50_000 + 1) & 0xff);
});

test("a watcher sees a streamed body begin, the bytes written so far, and completion before the flush; a body held whole comes with its hash instead", async () => {
  const s = store();
  const events: string[] = [];
  durable.syncHandle = (h, p) => (events.push("flush"), original.syncHandle(h, p));
  durable.createFileAsync = (p, bytes) => (events.push("flush"), original.createFileAsync(p, bytes));
  const tap = { begin: (tmp: string) => events.push(`begin ${existsSync(tmp)}`), written: (n: number) => events.push(`written ${n}`), complete: (n: number) => events.push(`complete ${n}`) };
  for (const size of [FILE, 100 * KiB, 256 * KiB]) {
    const held = await s.receive(body(size), 1 << 30, undefined, tap);
    expect(events).toEqual(["flush"]);
    expect(Buffer.from(held.sha256!).toString("hex")).toBe(
      createHash("sha256")
        .update(readFileSync(onDisk(held)))
        .digest("hex"),
    );
    expect(held.size).toBe(size);
    events.length = 0;
  }
  expect((await s.receive(body(256 * KiB + 1), 1 << 30, undefined, tap)).sha256).toBeUndefined();
  expect(events).toEqual(["begin true", `written ${256 * KiB + 1}`, `complete ${256 * KiB + 1}`, "flush"]);
  events.length = 0;
  await s.receive(body(1536 * KiB), 1 << 30, undefined, tap);
  // Streamed once past 256 KiB held (320 KiB in 64 KiB chunks), then in runs of 1 MiB, then the rest.
  expect(events).toEqual(["begin true", `written ${320 * KiB}`, `written ${1344 * KiB}`, `written ${1536 * KiB}`, `complete ${1536 * KiB}`, "flush"]);
});

test("a declared size: past the limit is refused before any byte; exactly the limit is taken; a body that differs is refused", async () => {
  const s = store();
  expect(await refusal(s.receive(body(10), 99, 100))).toEqual({
    status: 413,
    code: "storage_quota_exceeded",
    message: "This would go over your storage quota (99 bytes free)",
    extra: { available: 99 },
  });
  expect((await s.receive(body(FILE), FILE, FILE)).size).toBe(FILE);
  expect(await refusal(s.receive(body(FILE - 10), FILE, FILE))).toEqual({
    status: 400,
    code: "size_mismatch",
    message: `Expected ${FILE} bytes but received ${FILE - 10}`,
    extra: { expected: FILE, received: FILE - 10 },
  });
  expect(readdirSync(s.tmpDir)).toHaveLength(1); // only the one taken
  expect(await refusal(s.receive(body(90), 100, 100))).toMatchObject({ status: 400, code: "size_mismatch" });
});

test("a body longer than declared is cut off as soon as it passes the size, not read to its end", async () => {
  const s = store();
  const r = await refusal(s.receive(body(8 * 1024 * KiB), 1 << 30, 10));
  expect(r?.code).toBe("size_mismatch");
  expect(r?.extra.received).toBe(64 * KiB); // the first chunk already passed it
  expect(readdirSync(s.tmpDir)).toEqual([]);
});

test("a body past the limit is refused mid-way with what was free; nothing is left", async () => {
  const s = store();
  expect(await refusal(s.receive(body(600 * KiB), 500 * KiB))).toEqual({
    status: 413,
    code: "storage_quota_exceeded",
    message: `This would go over your storage quota (${500 * KiB} bytes free)`,
    extra: { available: 500 * KiB },
  });
  expect(readdirSync(s.tmpDir)).toEqual([]);
});

test("a body that breaks off is the client's error (400) and leaves nothing", async () => {
  const s = store();
  async function* broken(): AsyncGenerator<Uint8Array> {
    yield new Uint8Array(300 * KiB);
    throw new Error("connection reset");
  }
  expect(await refusal(s.receive(broken(), 1 << 30))).toEqual({ status: 400, code: "upload_interrupted", message: "The upload was cut short or is malformed (connection reset)", extra: {} });
  expect(readdirSync(s.tmpDir)).toEqual([]);
});

test("the sweep at start-up removes interrupted uploads only, and counts them", () => {
  const s = store();
  for (const name of ["upload-a", "upload-b", "resumable-c", "keep-upload-d"]) writeFileSync(join(s.tmpDir, name), "x");
  expect(s.sweepTmp()).toBe(2);
  expect(readdirSync(s.tmpDir).sort()).toEqual(["keep-upload-d", "resumable-c"]);
});

test("a duplicate is a new blob with the same bytes, for the same wallet or another", async () => {
  const s = store();
  const blob = await s.commit("0xa", onDisk(await s.receive(body(FILE), 1 << 30)));
  const same = s.duplicate("0xa", blob);
  const other = s.duplicate("0xa", blob, "0xb");
  expect(new Set([blob, same, other]).size).toBe(3);
  for (const [owner, id] of [
    ["0xa", same],
    ["0xb", other],
  ] as const)
    expect(readFileSync(s.path(owner, id))).toEqual(readFileSync(s.path("0xa", blob)));
  expect(statSync(s.path("0xb", other)).mode & 0o777).toBe(0o600); // the original's: owner-only
  expect(statSync(join(s.filesDir, "0xb", other.slice(0, 2))).mode & 0o777).toBe(0o700);
});

test("while a backup holds removals, removed blobs stay until the last hold is released (once)", async () => {
  const s = store();
  const blobs = await Promise.all([1, 2, 3].map(async (n) => s.commit("0xa", onDisk(await s.receive(body(FILE + n), 1 << 30)))));
  const release1 = s.holdRemovals();
  const release2 = s.holdRemovals();
  s.remove("0xa", blobs[0]!);
  s.remove("0xa", blobs[1]!);
  release1();
  release1(); // a second call changes nothing: the other hold still stands
  expect(blobs.map((b) => existsSync(s.path("0xa", b)))).toEqual([true, true, true]);
  release2();
  expect(blobs.map((b) => existsSync(s.path("0xa", b)))).toEqual([false, false, true]);
  s.remove("0xa", blobs[2]!); // no hold: at once
  expect(existsSync(s.path("0xa", blobs[2]!))).toBe(false);
  s.remove("0xa", blobs[2]!); // gone already: not an error
  s.discard(join(s.tmpDir, "upload-missing"));
});

test("a short vectored write is finished with plain writes: every byte lands once, in order", async () => {
  const s = store();
  // The kernel may write less than asked (a signal, a nearly full disk): here, always 1000 bytes less.
  handleProto.writev = async function (this: unknown, buffers: Uint8Array[]) {
    const total = buffers.reduce((n, b) => n + b.byteLength, 0);
    const flat = new Uint8Array(total);
    let at = 0;
    for (const b of buffers) flat.set(b, (at += b.byteLength) - b.byteLength);
    const { bytesWritten } = await writev.call(this, [flat.subarray(0, total - 1000)]);
    return { bytesWritten, buffers };
  };
  const size = 1536 * KiB + 77;
  const r = await s.receive(body(size, 50_000), 1 << 30);
  handleProto.writev = writev;
  const bytes = readFileSync(onDisk(r));
  expect(bytes.length).toBe(size);
  for (let at = 0; at < size; at += 50_000) {
    expect(bytes[at]).toBe((at / 50_000 + 1) & 0xff);
    expect(bytes[Math.min(size, at + 50_000) - 1]).toBe((at / 50_000 + 1) & 0xff);
  }
});

test("a full disk is the node's error (507 insufficient_storage), and leaves nothing", async () => {
  const s = store();
  handleProto.writev = async () => {
    throw Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
  };
  expect(await refusal(s.receive(body(2 * 1024 * KiB), 1 << 30))).toEqual({ status: 507, code: "insufficient_storage", message: "The node's disk is full", extra: {} });
  expect(readdirSync(s.tmpDir)).toEqual([]);
});

test("a small body whose file fails on its thread (after it was made) leaves nothing, and no descriptor open", async () => {
  const s = store();
  const open = () => readdirSync("/proc/self/fd").length;
  const before = open();
  durable.createFileAsync = async (p, bytes) => {
    await original.createFileAsync(p, bytes);
    throw Object.assign(new Error("I/O error"), { code: "EIO" });
  };
  expect(((await s.receive(body(FILE), 1 << 30).catch((e) => e)) as NodeJS.ErrnoException).code).toBe("EIO");
  expect(open()).toBe(before);
  expect(readdirSync(s.tmpDir)).toEqual([]);
});

test("a commit whose folder cannot be flushed fails, and leaves neither the temp file nor the blob", async () => {
  const s = store();
  const tmp = onDisk(await s.receive(body(FILE), 1 << 30));
  durable.fsyncDirAsync = async () => {
    throw Object.assign(new Error("fsync: input/output error"), { code: "EIO" });
  };
  expect(await refusal(s.commit("0xowner", tmp))).toMatchObject({ message: "fsync: input/output error" });
  expect(existsSync(tmp)).toBe(false);
  const ownerDir = join(s.filesDir, "0xowner");
  expect(readdirSync(ownerDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())).toEqual([]);
  // Discarding the temp file after that (as the file writer does) is no error.
  s.discard(tmp);
});

test("a duplicate onto another file system (no hard link possible) is a copy", async () => {
  const s = store();
  const shm = mkdtempSync("/dev/shm/pc2-test-");
  dirs.push({ remove: () => rmSync(shm, { recursive: true, force: true }) });
  expect(statSync(shm).dev).not.toBe(statSync(s.filesDir).dev);
  mkdirSync(join(s.filesDir, "0xb"), { recursive: true });
  rmSync(join(s.filesDir, "0xb"), { recursive: true });
  symlinkSync(shm, join(s.filesDir, "0xb"));
  const blob = await s.commit("0xa", onDisk(await s.receive(body(FILE), 1 << 30)));
  const synced: string[] = [];
  durable.syncFd = (fd, path) => (synced.push(path), original.syncFd(fd, path));
  const descriptors = readdirSync("/proc/self/fd").length;
  const copy = s.duplicate("0xa", blob, "0xb");
  expect(readdirSync("/proc/self/fd").length).toBe(descriptors); // the copy's descriptor is closed
  expect(readFileSync(s.path("0xb", copy))).toEqual(readFileSync(s.path("0xa", blob)));
  expect(statSync(s.path("0xb", copy)).nlink).toBe(1);
  expect(synced).toEqual([s.path("0xb", copy)]); // a copy's bytes are flushed; a link has none of its own
});

test("blob names: 32 hex digits; one after another they share a shard folder 64 at a time, then move to the next", () => {
  const s = store();
  const names = Array.from({ length: 64 * 5 }, () => s.newBlobId());
  for (const n of names) expect(n).toMatch(/^[0-9a-f]{32}$/);
  expect(new Set(names).size).toBe(names.length);
  const runs: { shard: number; length: number }[] = [];
  for (const n of names) {
    const shard = Number.parseInt(n.slice(0, 2), 16);
    if (runs.at(-1)?.shard === shard) runs.at(-1)!.length++;
    else runs.push({ shard, length: 1 });
  }
  // From a random start: a partial first run, then whole runs of 64, each shard the next (after ff, 00).
  expect(runs.slice(1, -1).map((r) => r.length)).toEqual(Array(runs.length - 2).fill(64));
  expect(runs[0]!.length + runs.at(-1)!.length).toBe(runs.length === 5 ? 128 : 64);
  for (let i = 1; i < runs.length; i++) expect(runs[i]!.shard).toBe((runs[i - 1]!.shard + 1) % 256);
});

test("every shard in turn: 256 runs of 64 cover 00 to ff, each name 32 hex digits", () => {
  const s = store();
  const shards = new Map<string, number>();
  for (let i = 0; i < 256 * 64; i++) {
    const n = s.newBlobId();
    expect(n.length).toBe(32);
    shards.set(n.slice(0, 2), (shards.get(n.slice(0, 2)) ?? 0) + 1);
  }
  expect(shards.size).toBe(256);
  expect([...shards.values()].every((count) => count === 64)).toBe(true);
  expect([...shards.keys()].every((k) => /^[0-9a-f]{2}$/.test(k))).toBe(true);
});

test("each store starts its names at a random shard", () => {
  const firsts = new Set(Array.from({ length: 20 }, () => store().newBlobId().slice(0, 2)));
  expect(firsts.size).toBeGreaterThan(5); // 20 draws from 256 shards (a fixed start gives 1)
});

test("blobs committed together share their folder's flushes (group commit): each is on the disk, each folder flushed after its renames", async () => {
  const s = store();
  const received = await Promise.all(Array.from({ length: 40 }, async () => onDisk(await s.receive(body(FILE), 1 << 30))));
  // Each folder's first flush lasts until every rename is done (whatever the machine's load), so
  // every rename but the first ones lands while a flush of its folder runs.
  let renamed = 0;
  let allRenamed: () => void = () => {};
  const renames = new Promise<void>((resolve) => (allRenamed = resolve));
  durable.renameAsync = async (from, to) => {
    await original.renameAsync(from, to);
    if (++renamed === received.length) allRenamed();
  };
  const flushed: { dir: string; present: number }[] = [];
  durable.fsyncDirAsync = async (dir) => {
    flushed.push({ dir, present: readdirSync(dir).length });
    await renames;
    return original.fsyncDirAsync(dir);
  };
  const blobs = await Promise.all(received.map((tmp) => s.commit("0xa", tmp)));
  for (const b of blobs) expect(existsSync(s.path("0xa", b))).toBe(true);
  // 40 blobs in at most two shard folders: a first flush and one shared by the rest, per folder.
  const folders = new Set(blobs.map((b) => b.slice(0, 2)));
  expect(flushed.length).toBeLessThanOrEqual(2 * folders.size);
  // Every blob's rename came before a flush of its folder that began after it.
  for (const f of folders) {
    const last = flushed.filter((x) => x.dir.endsWith(`/${f}`)).at(-1)!;
    expect(last.present).toBe(blobs.filter((b) => b.startsWith(f)).length);
  }
});

test("a blob removed twice while held is released without error; discard removes a temp file", async () => {
  const s = store();
  const blob = await s.commit("0xa", onDisk(await s.receive(body(FILE), 1 << 30)));
  const release = s.holdRemovals();
  s.remove("0xa", blob);
  s.remove("0xa", blob);
  release();
  expect(existsSync(s.path("0xa", blob))).toBe(false);
  const tmp = onDisk(await s.receive(body(FILE), 1 << 30));
  s.discard(tmp);
  expect(existsSync(tmp)).toBe(false);
});
