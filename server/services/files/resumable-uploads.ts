// Resumable uploads for large files: create → PUT chunks at offsets (resume after a drop) → complete.
// Each chunk is fsynced before its offset is recorded; a chunk cut short is truncated away.
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, rmSync, statSync, truncateSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { ConflictError, fail, NotFoundError } from "../../errors.ts";
import type { CreateUploadBody } from "./files.schemas.ts";
import { durable } from "../../fs/durable-steps.ts";
import { QuotaExceededError } from "./blob-store.ts";
import type { FileWriter } from "./file-writer.ts";
import type { FilesService } from "./files.service.ts";
import type { FsEntryRow } from "./fs-entry.ts";
import type { UploadRow, UploadsRepository } from "./uploads.repository.ts";
import { resolvePath } from "./virtual-path.ts";

export const UPLOAD_TTL_MS = 24 * 3_600_000;
const MAX_CHUNK = 256 * 1024 * 1024;
/** Unfinished uploads one wallet may hold open (each keeps a temp file and a quota reservation). */
export const MAX_OPEN_UPLOADS = 32;

export interface UploadView {
  id: string;
  path: string;
  size: number;
  offset: number;
  expiresAt: string;
}

export class ResumableUploads {
  private sweeper: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly repo: UploadsRepository,
    private readonly files: FilesService,
    private readonly writer: FileWriter,
    private readonly tmpDir: string,
  ) {}

  start(): void {
    this.sweep();
    this.sweeper = setInterval(() => this.sweep(), 10 * 60_000);
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  private file(id: string): string {
    return join(this.tmpDir, `resumable-${id}`);
  }

  create(owner: string, input: CreateUploadBody): UploadView {
    const path = resolvePath(input.path, owner);
    const size = input.size;
    const opts = { overwrite: input.overwrite ?? false, dedupe: input.dedupe_name ?? false, createParents: input.create_missing_parents ?? false };
    const replaces = this.writer.check(owner, path, opts);
    if (this.repo.openCount(owner, Date.now()) >= MAX_OPEN_UPLOADS)
      throw fail("too_many_uploads", `At most ${MAX_OPEN_UPLOADS} unfinished uploads at a time; finish or cancel one`, { limit: MAX_OPEN_UPLOADS });
    // Unfinished uploads already count in the quota (a usage meter), so this one must fit beside them.
    const available = this.files.available(owner) + (replaces?.size ?? 0);
    if (size > available) throw new QuotaExceededError(Math.max(0, available));
    const now = Date.now();
    const row: UploadRow = {
      id: randomBytes(16).toString("hex"),
      owner,
      path,
      size,
      received: 0,
      overwrite: opts.overwrite ? 1 : 0,
      dedupe: opts.dedupe ? 1 : 0,
      create_parents: opts.createParents ? 1 : 0,
      created_at: now,
      expires_at: now + UPLOAD_TTL_MS,
    };
    closeSync(openSync(this.file(row.id), "wx", 0o600));
    this.repo.insert(row);
    return view(row, owner);
  }

  status(owner: string, id: string): UploadView {
    return view(this.get(owner, id), owner);
  }

  /** Append one chunk at `offset` (which must be what the node already has). */
  async put(owner: string, id: string, offset: number, source: ReadableStream<Uint8Array> | null, disconnected?: AbortSignal): Promise<UploadView> {
    const row = this.get(owner, id);
    if (offset !== row.received) throw new ConflictError(`This upload continues at byte ${row.received}`, "offset_mismatch", { offset: row.received });
    if (!source) throw fail("invalid_request", "The chunk has no body");
    const path = this.file(id);
    // Whatever a dropped connection left past the recorded offset goes before appending.
    if (statSync(path).size !== row.received) truncateSync(path, row.received);
    const handle = await open(path, "r+");
    let at = row.received;
    try {
      const reader = source.getReader();
      // A dropped connection may leave the body neither ended nor failed: end the read ourselves.
      const onAbort = () => void reader.cancel(new Error("the client disconnected")).catch(() => undefined);
      disconnected?.addEventListener("abort", onAbort, { once: true });
      if (disconnected?.aborted) throw fail("upload_interrupted", "The client disconnected");
      for (;;) {
        let step: Awaited<ReturnType<typeof reader.read>>;
        try {
          step = await reader.read();
        } catch (err) {
          throw fail("upload_interrupted", `The chunk was cut short (${(err as Error).message})`);
        }
        if (disconnected?.aborted) throw fail("upload_interrupted", "The client disconnected");
        if (step.done) break;
        const chunk = step.value;
        if (at + chunk.byteLength > row.size) throw fail("payload_too_large", `This upload was declared as ${row.size} bytes`);
        if (at + chunk.byteLength - row.received > MAX_CHUNK) throw fail("payload_too_large", `A chunk is at most ${MAX_CHUNK} bytes`);
        let off = 0;
        while (off < chunk.byteLength) off += (await handle.write(chunk, off, chunk.byteLength - off, at + off)).bytesWritten;
        at += chunk.byteLength;
      }
      await durable.syncHandle(handle, path);
    } catch (err) {
      await handle.close();
      truncateSync(path, row.received);
      throw err;
    }
    await handle.close();
    this.repo.setReceived(id, at);
    return view({ ...row, received: at }, owner);
  }

  /** All bytes are in: the file appears, exactly like a single-request upload. */
  async complete(owner: string, id: string): Promise<FsEntryRow> {
    const row = this.get(owner, id);
    if (row.received !== row.size) throw new ConflictError(`Only ${row.received} of ${row.size} bytes have arrived`, "upload_incomplete", { offset: row.received });
    this.repo.delete(id);
    return this.writer.commit(owner, row.path, { tmp: this.file(id), size: row.size }, { overwrite: row.overwrite === 1, dedupe: row.dedupe === 1, createParents: row.create_parents === 1 });
  }

  cancel(owner: string, id: string): void {
    this.get(owner, id);
    this.repo.delete(id);
    rmSync(this.file(id), { force: true });
  }

  /** Drop expired uploads, and bytes no upload owns any more. */
  sweep(now = Date.now()): number {
    const expired = this.repo.expired(now);
    for (const row of expired) {
      this.repo.delete(row.id);
      rmSync(this.file(row.id), { force: true });
    }
    for (const row of this.repo.all()) if (!existsSync(this.file(row.id))) this.repo.delete(row.id);
    return expired.length;
  }

  private get(owner: string, id: string): UploadRow {
    const row = /^[0-9a-f]{32}$/.test(id) ? this.repo.get(owner, id) : null;
    if (!row || row.expires_at <= Date.now()) throw new NotFoundError("No such upload (it may have expired)", "upload_not_found");
    return row;
  }
}

function view(r: UploadRow, owner: string): UploadView {
  return { id: r.id, path: `/${owner}${r.path}`, size: r.size, offset: r.received, expiresAt: new Date(r.expires_at).toISOString() };
}
