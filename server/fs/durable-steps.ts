// The steps that make a write durable, named in one place: flush a file's bytes to the disk, close
// it, rename it into place, flush the folder. Writers call these (not node:fs directly) so that a
// test can record the order they ran in: removing or reordering any step must fail a test. The async
// flushes wait on the node's own fsync threads (fsync-pool.ts), never on the event loop.
import { closeSync, fsyncSync, openSync, renameSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { fsyncPool } from "./fsync-pool.ts";

export type DurableStep = "create" | "sync" | "close" | "rename" | "fsync-dir" | "sync-file";

export const durable = {
  /** Create a new file with these bytes, flushed and closed, on an fsync thread (a small upload's temp file). */
  createFileAsync: (path: string, bytes: Uint8Array[]): Promise<void> => fsyncPool.createFile(path, bytes),
  /** Flush an open file's bytes (async handle). */
  syncHandle: (handle: FileHandle, _path: string): Promise<void> => fsyncPool.sync(handle.fd),
  closeHandle: (handle: FileHandle, _path: string): Promise<void> => handle.close(),
  /** Flush an open file's bytes (sync fd). */
  syncFd: (fd: number, _path: string): void => fsyncSync(fd),
  closeFd: (fd: number, _path: string): void => closeSync(fd),
  rename: (from: string, to: string): void => renameSync(from, to),
  /** The same rename on an fsync thread, `to`'s folder made (owner-only) if missing. */
  renameAsync: (from: string, to: string): Promise<void> => fsyncPool.move(from, to),
  /**
   * Flush a file's bytes by its path (one another part of the node writes: the database's WAL) with
   * fdatasync — its bytes and size, not its times — without holding the event loop. False if there
   * is no such file.
   */
  async syncFileAsync(path: string): Promise<boolean> {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw err;
    }
    try {
      await fsyncPool.sync(fd, true);
      return true;
    } finally {
      closeSync(fd);
    }
  },
  /** Flush a folder without holding the event loop. */
  async fsyncDirAsync(dir: string): Promise<void> {
    const fd = openSync(dir, "r");
    try {
      await fsyncPool.sync(fd);
    } finally {
      closeSync(fd);
    }
  },
  /** Flush a folder, so that a rename into it survives a power cut. */
  fsyncDir(dir: string): void {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
};
