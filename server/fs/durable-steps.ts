// The steps that make a write durable, named in one place: flush a file's bytes to the disk, close
// it, rename it into place, flush the folder. Writers call these (not node:fs directly) so that a
// test can record the order they ran in: removing or reordering any step must fail a test.
import { closeSync, fsync, fsyncSync, openSync, renameSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";

export type DurableStep = "sync" | "close" | "rename" | "fsync-dir";

export const durable = {
  /** Flush an open file's bytes (async handle). */
  syncHandle: (handle: FileHandle, _path: string): Promise<void> => handle.sync(),
  closeHandle: (handle: FileHandle, _path: string): Promise<void> => handle.close(),
  /** Flush an open file's bytes (sync fd). */
  syncFd: (fd: number, _path: string): void => fsyncSync(fd),
  /** Flush an open file's bytes (an fd), waiting off the event loop. */
  syncFdAsync: (fd: number, _path: string): Promise<void> => new Promise((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve()))),
  closeFd: (fd: number, _path: string): void => closeSync(fd),
  rename: (from: string, to: string): void => renameSync(from, to),
  /** Flush a folder without holding the event loop. */
  async fsyncDirAsync(dir: string): Promise<void> {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
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
