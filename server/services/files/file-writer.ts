// Writing a file: stream to data/tmp (the IPFS worker importing it as it lands), fsync → rename into
// place (while the import finishes) → pinned → index in one transaction → the index flushed. A file that fits one IPFS
// block is named by its SHA-256 instead and indexed at once, its pin owed (made after the answer,
// owed-pins.ts); a small one (inline-blobs.ts) has no file at all: its bytes go into the database in
// the transaction that indexes it, and the one flush of the index makes both durable. A crash at any
// step leaves no visible partial file; `pc2 storage check` sweeps leftovers.
import { ConflictError, fail } from "../../errors.ts";
import { QuotaExceededError, type Received } from "./blob-store.ts";
import type { GrowingImport } from "./ipfs.client.ts";
import type { FilesDeps, FilesService } from "./files.service.ts";
import { mimeFor, toV1, type FsEntryRow } from "./fs-entry.ts";
import { place, type ConflictPolicy } from "./name-conflict.ts";
import { singleBlockCid } from "./single-block-cid.ts";
import { baseName, checkInternalPath, parentPath } from "./virtual-path.ts";

export interface WriteOptions extends ConflictPolicy {
  createParents: boolean;
  /** The size the client declared, if any: checked against the quota first and the bytes after. */
  size?: number;
}

export class FileWriter {
  constructor(
    private readonly files: FilesService,
    /** The storage it writes through (the same the files service reads), handed over at wiring. */
    private readonly storage: Pick<FilesDeps, "repo" | "blobs" | "ipfs" | "pins" | "indexOnDisk" | "commits">,
  ) {}

  /** Write `source` to `path` (a resolved path inside the owner's root). */
  async write(owner: string, path: string, source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>, opts: WriteOptions): Promise<FsEntryRow> {
    const { blobs, ipfs } = this.storage;
    const early = this.check(owner, path, opts);
    // The IPFS worker imports the temp file as it lands (receiving and hashing overlap) — unless the
    // body is small enough to be held whole: that one is hashed as it is written.
    let pipeline: GrowingImport | null = null;
    let received: Received;
    try {
      received = await blobs.receive(source, this.files.available(owner) + (early?.size ?? 0), opts.size, {
        begin: (tmp) => (pipeline = ipfs.addGrowing(tmp)),
        written: (size) => pipeline?.grow(size),
        // The import finishes from page cache while the temp file is fsynced.
        complete: (size) => void pipeline?.finish(size),
      });
    } catch (err) {
      (pipeline as GrowingImport | null)?.abort();
      throw err;
    }
    return this.commit(owner, path, received, opts, (pipeline as GrowingImport | null)?.result);
  }

  /**
   * Fail fast, before any byte is received: a bad path, a missing folder, a clash. Returns the
   * entry an overwrite would replace (its bytes count as free for the quota).
   */
  check(owner: string, path: string, opts: WriteOptions): FsEntryRow | null {
    this.files.ensureHome(owner);
    if (path === "/") throw fail("cannot_write_to_root", "Choose a file name inside a folder");
    checkInternalPath(path);
    return this.precheck(owner, path, baseName(path), opts);
  }

  /**
   * Make fully received bytes (a temp file) the file at `path`: rename into place, pinned (by the
   * import already under way, or now), index. The rename and its folder's fsync overlap the end of
   * the import; the index is written only once both are done. Bytes that came with their SHA-256
   * (one block's worth) are indexed without waiting for IPFS: their pin is owed.
   */
  async commit(owner: string, path: string, received: Received, opts: WriteOptions, pinning?: Promise<string>): Promise<FsEntryRow> {
    const { repo, blobs, ipfs, commits, pins, indexOnDisk } = this.storage;
    const owed = received.sha256 ? singleBlockCid(received.size, received.sha256) : null;
    const name = baseName(path);
    // Held bytes get their (inline) blob in the transaction below; a temp file is renamed into place now.
    let blob = "";
    if ("tmp" in received) {
      try {
        blob = await blobs.commit(owner, received.tmp);
      } catch (err) {
        blobs.discard(received.tmp);
        // The import under way still pins what it read: nothing will use that pin.
        void pinning?.then(
          (c) => this.unpinUnused(c),
          () => undefined,
        );
        throw err;
      }
    }
    let cid: string;
    try {
      cid = owed ?? (await (pinning ?? ipfs.add(blobs.path(owner, blob))));
    } catch (err) {
      blobs.remove(owner, blob);
      throw err;
    }

    const created: FsEntryRow[] = [];
    let outcome: { row: FsEntryRow; replaced: FsEntryRow | null };
    try {
      // Committed with the other writers of this moment (one COMMIT), undone alone if it throws.
      outcome = await commits.run(() => {
        const dir = this.files.ensureDir(owner, parentPath(path), opts.createParents, created);
        const spot = place(dir.path, name, opts, (p) => repo.byPath(owner, p));
        const now = Date.now();
        const freed = spot.replaces?.size ?? 0;
        const quota = repo.quota(owner);
        if (quota !== null) {
          const used = this.files.usage(owner);
          if (used - freed + received.size > quota) throw new QuotaExceededError(Math.max(0, quota - used + freed));
        }
        // A throw from here on undoes the inline bytes and the owed pin with the rest of the transaction.
        if ("bytes" in received) blob = blobs.commitInline(owner, received.bytes);
        if (owed) pins.owe(owner, blob, owed);
        if (spot.replaces) {
          if (spot.replaces.is_dir) throw new ConflictError("A folder with this name exists", "cannot_overwrite_a_directory", { entry_name: spot.name });
          this.files.mutable(spot.replaces);
          repo.replaceContent(spot.replaces.uid, received.size, mimeFor(spot.name), cid, blob, now);
          return { row: repo.byUid(owner, spot.replaces.uid)!, replaced: spot.replaces };
        }
        const row = this.files.row(owner, spot.path, dir.uid, spot.name, false, now, { size: received.size, mime: mimeFor(spot.name), cid, blob });
        repo.insert(row);
        return { row, replaced: null };
      });
    } catch (err) {
      // (Inline bytes went with the transaction.)
      if ("tmp" in received) blobs.remove(owner, blob);
      // An owed pin was never made (its record went with the transaction).
      if (!owed) this.unpinUnused(cid);
      throw err;
    }
    // The answer says the file is kept: its index row too must survive a power cut.
    await indexOnDisk();
    if (owed) pins.pinOwed();

    if (outcome.replaced) this.files.cleanup(owner, [outcome.replaced]);
    for (const c of created) this.files.emit(owner, "item.added", toV1(c));
    this.files.emit(owner, outcome.replaced ? "item.updated" : "item.added", toV1(outcome.row));
    this.files.written(owner, received.size);
    return outcome.row;
  }

  /** A pin no file refers to (a write that failed after its import) is removed. */
  private unpinUnused(cid: string): void {
    const { repo, ipfs } = this.storage;
    if (!repo.cidInUse(cid)) void ipfs.unpin(cid).catch(() => undefined);
  }

  private precheck(owner: string, path: string, name: string, opts: WriteOptions): FsEntryRow | null {
    const { repo } = this.storage;
    const dir = repo.byPath(owner, parentPath(path));
    if (dir && !dir.is_dir) throw fail("dest_is_not_a_directory", `${dir.name} is a file, not a folder`);
    if (!dir && !opts.createParents) throw fail("dest_does_not_exist", `Folder not found: ${parentPath(path)}`);
    const spot = dir ? place(dir.path, name, opts, (p) => repo.byPath(owner, p)) : null;
    if (spot?.replaces?.is_dir) throw new ConflictError("A folder with this name exists", "cannot_overwrite_a_directory", { entry_name: name });
    return spot?.replaces ?? null;
  }
}
