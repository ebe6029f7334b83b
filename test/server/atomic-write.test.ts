// Atomic small-file writes (server/fs/atomic-write.ts) beyond the order of their steps
// (durability-order.test.ts): who may read the file, what a failure leaves behind, and the bytes.
import { afterEach, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir, fsyncDir, writeFileAtomic, writeFileAtomicAsync } from "../../server/fs/atomic-write.ts";
import { durable } from "../../server/fs/durable-steps.ts";
import { makeTempDir } from "../helpers/temp-dir.ts";

const original = { ...durable };
const dirs: { remove(): void }[] = [];
afterEach(() => {
  Object.assign(durable, original);
  for (const d of dirs.splice(0)) d.remove();
});
function tempDir(): string {
  const d = makeTempDir();
  dirs.push(d);
  return d.path;
}
const modeOf = (path: string) => statSync(path).mode & 0o777;

const writers = [
  ["writeFileAtomic", async (path: string, data: Uint8Array, mode?: number) => writeFileAtomic(path, data, mode)],
  ["writeFileAtomicAsync", writeFileAtomicAsync],
] as const;

test.each(writers)("%s: only the owner may read the file unless a mode is given; nothing else is left in the folder", async (_name, write) => {
  const dir = tempDir();
  await write(join(dir, "secret.json"), new Uint8Array([1]));
  await write(join(dir, "shared.txt"), new Uint8Array([2]), 0o644);
  expect(modeOf(join(dir, "secret.json"))).toBe(0o600);
  expect(modeOf(join(dir, "shared.txt"))).toBe(0o644);
  expect(readdirSync(dir).sort()).toEqual(["secret.json", "shared.txt"]);
});

test.each(writers)("%s: replaces what was there, whole, with every byte (1 MiB + 1)", async (_name, write) => {
  const dir = tempDir();
  const target = join(dir, "data.bin");
  writeFileSync(target, "old content");
  const bytes = new Uint8Array(1024 * 1024 + 1).map((_, i) => i % 251);
  await write(target, bytes);
  expect(new Uint8Array(readFileSync(target))).toEqual(bytes);
});

test.each(writers)("%s: a flush that fails leaves the old file and no temp file, and the error reaches the caller", async (_name, write) => {
  const dir = tempDir();
  const target = join(dir, "settings.json");
  writeFileSync(target, "old");
  const refuse = () => {
    throw Object.assign(new Error("I/O error"), { code: "EIO" });
  };
  durable.syncFd = refuse;
  durable.syncHandle = async () => refuse();
  const err = (await write(target, new Uint8Array([9, 9])).catch((e) => e)) as NodeJS.ErrnoException;
  expect(err.code).toBe("EIO");
  expect(readFileSync(target, "utf8")).toBe("old");
  expect(readdirSync(dir)).toEqual(["settings.json"]);
});

test("writeFileAtomic writes a string as UTF-8", () => {
  const dir = tempDir();
  writeFileAtomic(join(dir, "name.txt"), "Zoë 🌱");
  expect(readFileSync(join(dir, "name.txt"), "utf8")).toBe("Zoë 🌱");
  expect(readFileSync(join(dir, "name.txt")).length).toBe(Buffer.byteLength("Zoë 🌱", "utf8"));
});

test("the temp file is hidden, beside the target, and never reused", () => {
  const dir = tempDir();
  const seen: string[] = [];
  durable.rename = (from, to) => (seen.push(from), original.rename(from, to));
  writeFileAtomic(join(dir, "a.json"), "1");
  writeFileAtomic(join(dir, "a.json"), "2");
  expect(seen).toHaveLength(2);
  for (const tmp of seen) expect(tmp).toMatch(new RegExp(`^${dir}/\\.a\\.json\\.[0-9a-f]{12}\\.tmp$`));
  expect(seen[0]).not.toBe(seen[1]);
});

test("ensurePrivateDir makes the folder and its parents, owner-only; fsyncDir flushes a folder", () => {
  const dir = tempDir();
  const nested = join(dir, "a", "b");
  ensurePrivateDir(nested);
  expect(modeOf(nested)).toBe(0o700);
  expect(modeOf(join(dir, "a"))).toBe(0o700);
  const flushed: string[] = [];
  durable.fsyncDir = (d) => (flushed.push(d), original.fsyncDir(d));
  fsyncDir(nested);
  expect(flushed).toEqual([nested]);
});

test.each(writers)("%s: no descriptor stays open, after a write or a failed flush", async (_name, write) => {
  const dir = tempDir();
  const open = () => readdirSync("/proc/self/fd").length;
  const before = open();
  await write(join(dir, "ok.bin"), new Uint8Array(10));
  expect(open()).toBe(before);
  durable.syncFd = () => {
    throw Object.assign(new Error("I/O error"), { code: "EIO" });
  };
  durable.syncHandle = async () => durable.syncFd(0, "");
  await write(join(dir, "failed.bin"), new Uint8Array(10)).catch(() => undefined);
  expect(open()).toBe(before);
});
