// Crash-safe small-file writes: temp file in the same folder, fsync, rename, fsync the folder.
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import { open, rm } from "node:fs/promises";
import { durable } from "./durable-steps.ts";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";

export function ensurePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
}

/** Write data to path so that readers see either the old content or the new, never a mix. */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(tmp, "wx", mode);
  try {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    durable.syncFd(fd, tmp);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  durable.closeFd(fd, tmp);
  durable.rename(tmp, path);
  durable.fsyncDir(dir);
}

/** writeFileAtomic without holding the event loop (large writes while the node serves: backup chunks). */
export async function writeFileAtomicAsync(path: string, data: Uint8Array, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(tmp, "wx", mode);
  try {
    for (let off = 0; off < data.length; ) off += (await handle.write(data, off, data.length - off)).bytesWritten;
    await durable.syncHandle(handle, tmp);
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await durable.closeHandle(handle, tmp);
  durable.rename(tmp, path);
  await durable.fsyncDirAsync(dir);
}

export function fsyncDir(dir: string): void {
  durable.fsyncDir(dir);
}
