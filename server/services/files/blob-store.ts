// File bytes: a small file's inside the database (inline-blobs.ts, written with its index row);
// any other streamed to data/tmp, fsynced, then renamed into files/<wallet>/<xx>/<blob>. Blobs are
// never changed in place, so a crash leaves either the old bytes or the new, never a mix.
import { randomBytes, randomInt } from "node:crypto";
import { closeSync, copyFileSync, existsSync, linkSync, mkdirSync, openSync, readdirSync, rmSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { join } from "node:path";
import { AppError, fail } from "../../errors.ts";
import { durable } from "../../fs/durable-steps.ts";
import { SharedFlush } from "../../fs/shared-flush.ts";
import type { BlobSource } from "../../../workers/protocol.ts";
import { INLINE_MAX_BYTES, type InlineBlobs, isInlineBlob } from "./inline-blobs.ts";

const WRITE_RUN = 1024 * 1024;
/** A body that ends within this many bytes is written in one blocking call once it is all here. */
const SMALL_BODY = 256 * 1024;
/**
 * Blobs made one after another share a shard folder for this many, then move to the next of the 256:
 * writes in flight together land in one folder and share its flushes (group commit), while over
 * time every shard fills alike.
 */
const SHARD_RUN = 64;

export class QuotaExceededError extends AppError {
  constructor(limit: number) {
    super(413, "storage_quota_exceeded", `This would go over your storage quota (${limit} bytes free)`, { available: limit });
  }
}

export class SizeMismatchError extends AppError {
  constructor(expected: number, got: number) {
    super(400, "size_mismatch", `Expected ${expected} bytes but received ${got}`, { expected, received: got });
  }
}

/** Failures while reading what the client sends are the client's (400), not the node's. */
async function* interrupted(source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  for (;;) {
    let step: IteratorResult<Uint8Array>;
    try {
      step = await it.next();
    } catch (err) {
      throw fail("upload_interrupted", `The upload was cut short or is malformed (${(err as Error).message})`);
    }
    if (step.done) return;
    yield step.value;
  }
}

/** Watches an upload land: the temp file's path, then how many bytes are written so far. */
export interface ReceiveTap {
  begin(tmp: string): void;
  written(size: number): void;
  /** Every byte is written (not yet fsynced): readers may finish while the fsync runs. */
  complete(size: number): void;
}

/**
 * A body received whole: in a temp file (its SHA-256 when it was small enough to be held whole, and
 * no watcher was told of it), or — small enough to be kept inline — held in memory, hashed.
 */
export type Received = { tmp: string; size: number; sha256?: Uint8Array } | { bytes: Uint8Array; size: number; sha256: Uint8Array };

export class BlobStore {
  /** Blobs named so far (from a random start), which picks the shard of the next. */
  private named = randomInt(256 * SHARD_RUN);
  /** A folder's flush is shared by every rename made into it before the flush began. */
  private readonly folderFlushes = new SharedFlush((dir) => durable.fsyncDirAsync(dir));

  constructor(
    readonly filesDir: string,
    readonly tmpDir: string,
    readonly inline: InlineBlobs,
  ) {
    mkdirSync(filesDir, { recursive: true, mode: 0o700 });
    mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  }

  /** Temp files are never visible; any left at start-up are from an interrupted upload. */
  sweepTmp(): number {
    let n = 0;
    for (const name of readdirSync(this.tmpDir)) {
      if (name.startsWith("upload-")) {
        rmSync(join(this.tmpDir, name), { force: true });
        n++;
      }
    }
    return n;
  }

  /** 32 hex digits: the shard of the run under way, then 120 random bits. */
  newBlobId(): string {
    const shard = Math.floor(this.named++ / SHARD_RUN) % 256;
    return shard.toString(16).padStart(2, "0") + randomBytes(15).toString("hex");
  }

  /** A blob file's path (an inline blob has none: `source` finds either). */
  path(owner: string, blob: string): string {
    if (isInlineBlob(blob)) throw new Error(`blob ${blob} is inline: it has no file`);
    return join(this.filesDir, owner, blob.slice(0, 2), blob);
  }

  /** Where `owner`'s blob is now, or null if its bytes are gone. */
  source(owner: string, blob: string): BlobSource | null {
    if (!isInlineBlob(blob)) {
      const path = this.path(owner, blob);
      return existsSync(path) ? { path } : null;
    }
    const bytes = this.inline.bytes(owner, blob);
    return bytes ? { bytes } : null;
  }

  /**
   * Stream bytes into a temp file, at most `limit` bytes (the quota); `expected` if the client
   * declared a size. Nothing is visible to anyone until commit().
   *
   * A body that ends within SMALL_BODY bytes (most files) is held until it ends, then hashed; the
   * watcher is not told of it (its SHA-256 names it: single-block-cid.ts). Within INLINE_MAX_BYTES
   * it is returned as it is, to be kept in the database (`commitInline`);
   * otherwise its temp file is created, written and flushed on an fsync thread in one trip.
   * A larger body is written as it arrives, in runs of WRITE_RUN bytes, the watcher told as it goes.
   */
  async receive(source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>, limit: number, expected?: number, tap?: ReceiveTap): Promise<Received> {
    if (expected !== undefined && expected > limit) throw new QuotaExceededError(limit);
    const tmp = join(this.tmpDir, `upload-${randomBytes(12).toString("hex")}`);
    let handle: FileHandle | null = null;
    let size = 0;
    // Parsers hand over small chunks (~64 KiB); writing them in 1 MiB runs cuts the syscalls 16×.
    const pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (!handle) {
        handle = await open(tmp, "wx", 0o600);
        tap?.begin(tmp);
      }
      if (pendingBytes === 0) return;
      // One vectored write, no copy; a short write (rare) finishes with plain writes.
      const { bytesWritten } = await handle.writev(pending);
      if (bytesWritten < pendingBytes) {
        let skip = bytesWritten;
        for (const chunk of pending) {
          let off = Math.min(skip, chunk.byteLength);
          skip -= off;
          while (off < chunk.byteLength) off += (await handle.write(chunk, off, chunk.byteLength - off)).bytesWritten;
        }
      }
      pending.length = 0;
      pendingBytes = 0;
      tap?.written(size);
    };
    try {
      for await (const chunk of interrupted(source)) {
        size += chunk.byteLength;
        if (size > limit) throw new QuotaExceededError(limit);
        if (expected !== undefined && size > expected) throw new SizeMismatchError(expected, size);
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        if (pendingBytes >= WRITE_RUN || (handle === null && pendingBytes > SMALL_BODY)) await flush();
      }
      if (expected !== undefined && size !== expected) throw new SizeMismatchError(expected, size);
      if (handle === null) {
        // The whole body is here and small: hashed, and its temp file created, written, flushed and
        // closed in one trip to an fsync thread (creating a file can wait on the disk's journal).
        const hash = new Bun.CryptoHasher("sha256");
        for (const chunk of pending) hash.update(chunk);
        // Copied into an array of our own: the Buffer Bun returns costs multiformats ~40 µs to read.
        const sha256 = new Uint8Array(hash.digest() as Uint8Array);
        if (size <= INLINE_MAX_BYTES) return { bytes: pending.length === 1 ? pending[0]! : Buffer.concat(pending, size), size, sha256 };
        await durable.createFileAsync(tmp, pending);
        return { tmp, size, sha256 };
      }
      await flush();
      tap?.complete(size);
      await durable.syncHandle(handle, tmp);
      await durable.closeHandle(handle, tmp);
      return { tmp, size };
    } catch (err) {
      await (handle as FileHandle | null)?.close().catch(() => undefined);
      rmSync(tmp, { force: true });
      if ((err as NodeJS.ErrnoException).code === "ENOSPC") throw fail("insufficient_storage", "The node's disk is full");
      throw err;
    }
  }

  /**
   * Make received bytes a blob of `owner` (atomic rename + directory fsync, shared with the other
   * blobs renamed into that folder meanwhile). If the folder cannot be flushed, the renamed file is
   * removed: the caller gets the failure and no blob is left that no file refers to.
   */
  async commit(owner: string, tmp: string): Promise<string> {
    const blob = this.newBlobId();
    const dest = this.path(owner, blob);
    const dir = join(this.filesDir, owner, blob.slice(0, 2));
    // On a thread, like the temp file's making: a rename can wait on the disk's journal.
    await durable.renameAsync(tmp, dest);
    try {
      await this.folderFlushes.flushed(dir);
    } catch (err) {
      rmSync(dest, { force: true });
      throw err;
    }
    return blob;
  }

  /** Keep held bytes as a new inline blob of `owner`: call inside the transaction that indexes them. */
  commitInline(owner: string, bytes: Uint8Array): string {
    return this.inline.put(owner, bytes);
  }

  /**
   * A new blob with the same bytes: a hard link (blobs are immutable), or a copy across devices (its
   * bytes flushed). Not durable until `flushFolders` has run for it: its name is not on the disk yet.
   * An inline blob's copy is a new row: call inside the transaction that indexes it.
   */
  duplicate(owner: string, blob: string, toOwner = owner): string {
    if (isInlineBlob(blob)) return this.inline.copy(owner, blob, toOwner);
    const copy = this.newBlobId();
    const dir = join(this.filesDir, toOwner, copy.slice(0, 2));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const to = this.path(toOwner, copy);
    try {
      linkSync(this.path(owner, blob), to);
    } catch {
      copyFileSync(this.path(owner, blob), to);
      const fd = openSync(to, "r");
      try {
        durable.syncFd(fd, to);
      } finally {
        closeSync(fd);
      }
    }
    return copy;
  }

  /** Flush the folders of these new blobs (each once), so that their names survive a power cut. */
  flushFolders(owner: string, blobs: string[]): void {
    for (const dir of new Set(blobs.filter((b) => !isInlineBlob(b)).map((b) => join(this.filesDir, owner, b.slice(0, 2))))) durable.fsyncDir(dir);
  }

  remove(owner: string, blob: string): void {
    // While a backup reads a snapshot, the blobs it names stay until it is done.
    if (this.holds > 0) return void this.deferred.push([owner, blob]);
    this.drop(owner, blob);
  }

  private drop(owner: string, blob: string): void {
    if (isInlineBlob(blob)) this.inline.remove(owner, blob);
    else rmSync(this.path(owner, blob), { force: true });
  }

  private holds = 0;
  private deferred: [string, string][] = [];

  /**
   * Keep every blob that exists now until `release` is called: removals wait (a backup snapshot of
   * the index must find the bytes of every file it lists, even if the file is deleted meanwhile).
   */
  holdRemovals(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds > 0) return;
      for (const [owner, blob] of this.deferred.splice(0)) this.drop(owner, blob);
    };
  }

  discard(tmp: string): void {
    rmSync(tmp, { force: true });
  }

  /** A blob's bytes to read or stream: its file, or an inline blob's bytes (refused if they are gone). */
  file(owner: string, blob: string): Blob {
    if (!isInlineBlob(blob)) return Bun.file(this.path(owner, blob));
    const bytes = this.inline.bytes(owner, blob);
    if (!bytes) throw new AppError(500, "internal_error", "This file's bytes are missing from the node's storage; run `pc2 storage check`");
    return new Blob([bytes as Uint8Array<ArrayBuffer>]);
  }
}
