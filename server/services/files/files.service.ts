// A wallet's files: the tree (folders, names, moves, copies), quotas, sharing and live events. The
// Trash is a module on top (trash.service.ts); the bytes' storage stays behind narrow verbs.
import { randomUUID } from "node:crypto";
import { transaction, type Database } from "../../db/database.ts";
import type { GroupCommit } from "../../db/group-commit.ts";
import { AppError, BadRequestError, ConflictError, fail, ForbiddenError, NotFoundError, ValidationError } from "../../errors.ts";
import type { EventBus, EventMap } from "../../events.ts";
import type { Logger } from "../../log.ts";
import type { BlobStore } from "./blob-store.ts";
import type { ChildOrder, FilesRepository } from "./files.repository.ts";
import { toV1, type FsEntryRow } from "./fs-entry.ts";
import type { IpfsClient } from "./ipfs.client.ts";
import type { OwedPins } from "./owed-pins.ts";
import { place, type ConflictPolicy } from "./name-conflict.ts";
import { findEntry } from "./selector.ts";
import { baseName, checkInternalPath, checkName, displayPath, isWithin, joinPath, parentPath, resolvePath } from "./virtual-path.ts";
import { folderZip, type FolderZip } from "./folder-zip.ts";
import type { BlobSource } from "../../../workers/protocol.ts";

export const HOME_FOLDERS = ["Desktop", "Documents", "Pictures", "Public", "Trash"] as const;
export const TRASH = "/Trash";

type FsEvent = EventMap["files.changed"]["event"];

export interface FilesDeps {
  db: Database;
  repo: FilesRepository;
  blobs: BlobStore;
  ipfs: IpfsClient;
  /** Pins made after the answer (files that fit one block). */
  pins: OwedPins;
  /** Every commit made so far on the disk, safe from a power cut (group commit: db/database.ts). */
  indexOnDisk: () => Promise<void>;
  /** Writers' transactions committed together (db/group-commit.ts). */
  commits: GroupCommit;
  events: EventBus;
  log: Logger;
  /** Free and total bytes of the disk that holds the data directory. */
  disk: () => { free: number; total: number };
}

export class FilesService {
  private readonly homes = new Set<string>();
  private readonly meters = new Map<string, (owner: string) => number>();

  constructor(private readonly deps: FilesDeps) {}

  /**
   * Accept IPFS calls (the worker starts with the first); uploads that died with a crash left only
   * temp files, which go now; pins a crash left owed are made.
   */
  start(): void {
    this.deps.blobs.sweepTmp();
    this.deps.ipfs.start();
    this.deps.pins.start();
  }

  async stop(): Promise<void> {
    await this.deps.pins.stop();
    await this.deps.ipfs.stop();
  }

  // ---- homes and lookups -------------------------------------------------------------------

  /** The wallet's root and standard folders, created once (first sign-in or first use). */
  ensureHome(owner: string): void {
    if (this.homes.has(owner)) return;
    const { repo, db } = this.deps;
    transaction(db, () => {
      const now = Date.now();
      let root = repo.byPath(owner, "/");
      if (!root) {
        root = this.row(owner, "/", null, owner, true, now, { immutable: 1 });
        repo.insert(root);
      }
      for (const name of HOME_FOLDERS) {
        if (!repo.byPath(owner, `/${name}`)) repo.insert(this.row(owner, `/${name}`, root.uid, name, true, now, { immutable: 1 }));
      }
    });
    this.homes.add(owner);
  }

  /** Home folders as Puter's whoami lists them: "/<address>/Documents" → uid. */
  homeFolders(owner: string): Record<string, string> {
    this.ensureHome(owner);
    const out: Record<string, string> = {};
    for (const name of HOME_FOLDERS) {
      const row = this.deps.repo.byPath(owner, `/${name}`);
      if (row) out[displayPath(row.path, owner)] = row.uid;
    }
    return out;
  }

  find(owner: string, selector: unknown): FsEntryRow {
    this.ensureHome(owner);
    return findEntry(this.deps.repo, owner, selector);
  }

  stat(owner: string, selector: unknown, returnSize = false) {
    const e = this.find(owner, selector);
    const isEmpty = e.is_dir ? this.deps.repo.countChildren(owner, e.uid) === 0 : false;
    return { entry: e, isEmpty, size: returnSize && e.is_dir ? this.deps.repo.subtreeSize(owner, e.path) : e.size };
  }

  readdir(owner: string, selector: unknown, opts: ChildOrder = {}): { rows: FsEntryRow[]; total: number } {
    const dir = this.find(owner, selector);
    if (!dir.is_dir) throw new BadRequestError("This is a file, not a folder", "dest_is_not_a_directory");
    const rows = this.deps.repo.children(owner, dir.uid, opts);
    return { rows, total: opts.limit === undefined ? rows.length : this.deps.repo.countChildren(owner, dir.uid) };
  }

  /** The entry at a resolved path, or null. */
  entryAt(owner: string, path: string): FsEntryRow | null {
    return this.deps.repo.byPath(owner, path);
  }

  /** Everything below a folder (files and folders, at any depth). */
  descendants(owner: string, dir: FsEntryRow): FsEntryRow[] {
    return this.deps.repo.descendants(owner, dir.path);
  }

  /** The entries directly in a folder. */
  children(owner: string, dir: FsEntryRow): FsEntryRow[] {
    return this.deps.repo.children(owner, dir.uid);
  }

  /** A stored file's bytes, to stream (a file's never loaded whole; a small file's are held in the database). */
  blob(owner: string, entry: FsEntryRow): Blob {
    if (!entry.blob) throw fail("is_a_directory", `${entry.name} is a folder`);
    return this.deps.blobs.file(owner, entry.blob);
  }

  /**
   * Where a stored file's bytes are: its blob file on disk (for a sandbox to read; never shown to
   * clients), or a small file's bytes. Refused if they are gone.
   */
  stored(owner: string, entry: FsEntryRow): BlobSource {
    if (!entry.blob) throw fail("is_a_directory", `${entry.name} is a folder`);
    const source = this.deps.blobs.source(owner, entry.blob);
    if (!source) throw new AppError(500, "internal_error", `The bytes of ${entry.name} are missing from the node's storage; run pc2 storage check`);
    return source;
  }

  /**
   * The file with this CID that `viewer` may read: their own, or one its owner shares (never one in
   * a Trash). Null when there is none; unknown and private look the same to the caller.
   */
  readableByCid(cid: string, viewer: string | null): FsEntryRow | null {
    return this.deps.repo.byCid(cid).find((e) => (e.is_public === 1 && !isWithin(e.path, TRASH)) || e.owner === viewer) ?? null;
  }

  /** A folder as a streamed zip of everything below it. */
  zip(owner: string, dir: FsEntryRow): FolderZip {
    return folderZip(dir, this.deps.repo.descendants(owner, dir.path), this.deps.blobs);
  }

  search(owner: string, text: unknown): FsEntryRow[] {
    if (typeof text !== "string" || text.trim() === "" || text.length > 255) throw new ValidationError("query must be 1 to 255 characters");
    this.ensureHome(owner);
    return this.deps.repo.searchByName(owner, text.trim(), 200);
  }

  // ---- quotas and space ----------------------------------------------------------------------

  /**
   * Count something else a wallet makes the node store (chat history, unfinished uploads…) against
   * its quota. Files count by themselves.
   */
  addUsageMeter(name: string, bytesOf: (owner: string) => number): void {
    this.meters.set(name, bytesOf);
  }

  /** Everything `owner` has the node store, by kind. */
  usageBreakdown(owner: string): Record<string, number> {
    const out: Record<string, number> = { files: this.deps.repo.usage(owner) };
    for (const [name, bytesOf] of this.meters) out[name] = bytesOf(owner);
    return out;
  }

  /** Bytes counted against `owner`'s quota. */
  usage(owner: string): number {
    return Object.values(this.usageBreakdown(owner)).reduce((a, b) => a + b, 0);
  }

  /** Bytes this wallet may still add: the quota left, and never more than the disk has free. */
  available(owner: string): number {
    const quota = this.deps.repo.quota(owner);
    const free = this.deps.disk().free;
    return quota === null ? free : Math.max(0, Math.min(free, quota - this.usage(owner)));
  }

  /** Refuse before storing `bytes` more for `owner` when they would go over the quota (or the disk). */
  reserve(owner: string, bytes: number, what: string): void {
    const available = this.available(owner);
    if (bytes > available) throw fail("storage_quota_exceeded", `${what} would go over your storage quota`, { available });
  }

  df(owner: string): { used: number; capacity: number } {
    this.ensureHome(owner);
    const used = this.usage(owner);
    const quota = this.deps.repo.quota(owner);
    const { free } = this.deps.disk();
    return { used, capacity: quota === null ? used + free : Math.min(quota, used + free) };
  }

  setQuota(owner: string, bytes: number | null): void {
    this.deps.repo.setQuota(owner, bytes, Date.now());
  }

  quotaOf(owner: string): { quota: number | null; used: number; usedBy: Record<string, number> } {
    const usedBy = this.usageBreakdown(owner);
    return { quota: this.deps.repo.quota(owner), used: Object.values(usedBy).reduce((a, b) => a + b, 0), usedBy };
  }

  // ---- folders -------------------------------------------------------------------------------

  /** The folder at `path`, creating missing ones when allowed (inside a transaction). */
  ensureDir(owner: string, path: string, createParents: boolean, created: FsEntryRow[] = []): FsEntryRow {
    const { repo } = this.deps;
    checkInternalPath(path);
    const existing = repo.byPath(owner, path);
    if (existing) {
      if (!existing.is_dir) throw new BadRequestError(`${baseName(path)} is a file, not a folder`, "dest_is_not_a_directory");
      return existing;
    }
    if (!createParents) throw new NotFoundError(`Folder not found: ${path}`, "dest_does_not_exist");
    const parent = this.ensureDir(owner, parentPath(path), true, created);
    const row = this.row(owner, path, parent.uid, baseName(path), true, Date.now());
    repo.insert(row);
    created.push(row);
    return row;
  }

  mkdir(owner: string, input: { path: unknown; parent?: unknown; createParents: boolean } & ConflictPolicy): FsEntryRow {
    this.ensureHome(owner);
    const target = this.targetPath(owner, input.path, input.parent);
    if (target === "/") throw new ConflictError("The home folder already exists", "item_with_same_name_exists", { entry_name: owner });
    const created: FsEntryRow[] = [];
    const row = transaction(this.deps.db, () => {
      const dir = this.ensureDir(owner, parentPath(target), input.createParents, created);
      const spot = place(dir.path, checkName(baseName(target)), input, (p) => this.deps.repo.byPath(owner, p));
      if (spot.replaces) {
        if (spot.replaces.is_dir) return spot.replaces; // "overwrite" an existing folder: it is already there
        throw new ConflictError("A file with this name exists", "item_with_same_name_exists", { entry_name: spot.name });
      }
      const r = this.row(owner, spot.path, dir.uid, spot.name, true, Date.now());
      this.deps.repo.insert(r);
      created.push(r);
      return r;
    });
    for (const c of created) this.emit(owner, "item.added", toV1(c));
    return row;
  }

  /** A path from `path`, relative to `parent` when given (Puter's mkdir and write forms). */
  targetPath(owner: string, path: unknown, parent?: unknown): string {
    if (parent === undefined || parent === null || parent === "") return resolvePath(path, owner);
    if (typeof path !== "string" || path === "") throw new ValidationError("path must be a non-empty string");
    // A parent given as a path may not exist yet (create_missing_parents); one given as a uid must.
    const isPath = typeof parent === "string" && (parent.startsWith("/") || parent.startsWith("~"));
    const basePath = isPath ? resolvePath(parent, owner) : this.find(owner, parent).path;
    return resolvePath(`${basePath === "/" ? "" : basePath}/${path.replace(/^\/+/, "")}`, owner);
  }

  // ---- rename, move, copy ----------------------------------------------------------------------

  rename(owner: string, selector: unknown, newName: unknown): FsEntryRow {
    const e = this.find(owner, selector);
    this.mutable(e);
    const name = checkName(newName);
    const to = joinPath(parentPath(e.path), name);
    if (to === e.path) return e;
    const row = transaction(this.deps.db, () => {
      const clash = this.deps.repo.byPath(owner, to);
      if (clash && clash.uid !== e.uid) throw new ConflictError(`An item named "${name}" already exists here`, "item_with_same_name_exists", { entry_name: name });
      this.deps.repo.relocate(owner, e.uid, e.path, to, e.parent_uid!, name, e.metadata, Date.now());
      return this.deps.repo.byUid(owner, e.uid)!;
    });
    this.emit(owner, "item.renamed", { ...toV1(row), old_name: e.name });
    this.emit(owner, "item.updated", toV1(row));
    return row;
  }

  move(owner: string, source: unknown, destination: unknown, opts: ConflictPolicy & { newName?: unknown; newMetadata?: unknown; createParents?: boolean }) {
    const src = this.find(owner, source);
    this.mutable(src);
    const name = opts.newName === undefined || opts.newName === null ? src.name : checkName(opts.newName);
    const metadata = metadataJson(opts.newMetadata, src.metadata);
    const removed: FsEntryRow[] = [];
    const result = transaction(this.deps.db, () => {
      const dest = this.destination(owner, destination, opts.createParents ?? false);
      if (src.is_dir && isWithin(dest.path, src.path)) throw new BadRequestError("A folder cannot be moved into itself", "cannot_move_directory_into_itself");
      const spot = place(dest.path, name, opts, (p) => this.deps.repo.byPath(owner, p));
      if (spot.path === src.path) return { moved: src, overwritten: null };
      let overwritten: FsEntryRow | null = null;
      if (spot.replaces) {
        if (spot.replaces.is_dir) throw new ConflictError("A folder cannot be overwritten", "cannot_overwrite_a_directory", { entry_name: spot.name });
        overwritten = spot.replaces;
        removed.push(...this.deps.repo.deleteTree(owner, spot.replaces));
      }
      this.deps.repo.relocate(owner, src.uid, src.path, spot.path, dest.uid, spot.name, metadata, Date.now());
      return { moved: this.deps.repo.byUid(owner, src.uid)!, overwritten };
    });
    this.cleanup(owner, removed);
    if (result.overwritten) this.emit(owner, "item.removed", { path: toV1(result.overwritten).path, uid: result.overwritten.uid });
    this.emit(owner, "item.moved", { moved: toV1(result.moved), old_path: toV1(src).path });
    return { moved: result.moved, oldPath: src.path, overwritten: result.overwritten };
  }

  copy(owner: string, source: unknown, destination: unknown, opts: ConflictPolicy & { newName?: unknown }) {
    const src = this.find(owner, source);
    const name = opts.newName === undefined || opts.newName === null ? src.name : checkName(opts.newName);
    const bytes = src.is_dir ? this.deps.repo.subtreeSize(owner, src.path) : (src.size ?? 0);
    if (bytes > this.available(owner)) throw fail("storage_quota_exceeded", "This copy would go over your storage quota");
    const newBlobs: string[] = [];
    const removed: FsEntryRow[] = [];
    try {
      const result = transaction(this.deps.db, () => {
        const dest = this.destination(owner, destination, false);
        if (src.is_dir && isWithin(dest.path, src.path)) throw new BadRequestError("A folder cannot be copied into itself", "cannot_copy_directory_into_itself");
        const spot = place(dest.path, name, { ...opts, dedupe: opts.dedupe || (!opts.overwrite && dest.uid === src.parent_uid) }, (p) => this.deps.repo.byPath(owner, p));
        let overwritten: FsEntryRow | null = null;
        if (spot.replaces) {
          if (spot.replaces.is_dir) throw new ConflictError("A folder cannot be overwritten", "cannot_overwrite_a_directory", { entry_name: spot.name });
          overwritten = spot.replaces;
          removed.push(...this.deps.repo.deleteTree(owner, spot.replaces));
        }
        const copied = this.copyTree(owner, src, dest.uid, spot.path, spot.name, newBlobs);
        // The copies' names on the disk before the rows that point at them.
        this.deps.blobs.flushFolders(owner, newBlobs);
        return { copied, overwritten };
      });
      this.cleanup(owner, removed);
      this.emit(owner, "item.added", toV1(result.copied));
      return result;
    } catch (err) {
      for (const b of newBlobs) this.deps.blobs.remove(owner, b);
      throw err;
    }
  }

  private copyTree(owner: string, src: FsEntryRow, parentUid: string, path: string, name: string, newBlobs: string[]): FsEntryRow {
    const now = Date.now();
    const blob = src.is_dir ? null : this.deps.blobs.duplicate(owner, src.blob!);
    if (blob) newBlobs.push(blob);
    const copy: FsEntryRow = { ...src, uid: randomUUID(), path, parent_uid: parentUid, name, blob, immutable: 0, is_public: 0, created: now, modified: now, accessed: now };
    this.deps.repo.insert(copy);
    if (src.is_dir) for (const child of this.deps.repo.children(owner, src.uid)) this.copyTree(owner, child, copy.uid, joinPath(path, child.name), child.name, newBlobs);
    return copy;
  }

  /** A destination folder selector (created on demand only when asked). */
  private destination(owner: string, destination: unknown, createParents: boolean): FsEntryRow {
    if (createParents && typeof destination === "string" && (destination.startsWith("/") || destination.startsWith("~"))) {
      return this.ensureDir(owner, resolvePath(destination, owner), true);
    }
    const dest = findEntry(this.deps.repo, owner, destination);
    if (!dest.is_dir) throw new BadRequestError("The destination is a file, not a folder", "dest_is_not_a_directory");
    return dest;
  }

  // ---- deleting for good, sharing ----------------------------------------------------------

  /** Remove an entry (and its subtree) for good: rows, blobs, pins. */
  purge(owner: string, e: FsEntryRow): void {
    const removed = transaction(this.deps.db, () => this.deps.repo.deleteTree(owner, e));
    this.cleanup(owner, removed);
    this.emit(owner, "item.removed", { path: toV1(e).path, uid: e.uid });
  }

  /** Stop sharing an entry and everything below it. */
  stopSharing(owner: string, path: string): void {
    this.deps.repo.unpublishTree(owner, path);
  }

  /** Free the IPFS blocks nothing pins any more, in the background. */
  collectGarbage(): void {
    void this.deps.ipfs.gc().catch((err) => this.deps.log.warn("ipfs gc failed", { err }));
  }

  /** Publish a file: anyone with its CID may fetch it at /ipfs/<cid>. Nothing is announced to any network. */
  publish(owner: string, selector: unknown, isPublic: boolean): FsEntryRow {
    const e = this.find(owner, selector);
    if (e.is_dir) throw new BadRequestError("Share files one by one; folders have no CID here", "cannot_share_a_directory");
    if (isPublic && isWithin(e.path, TRASH)) throw new BadRequestError("Items in the Trash cannot be shared; restore it first", "in_trash");
    this.deps.repo.setPublic(e.uid, isPublic);
    const row = this.deps.repo.byUid(owner, e.uid)!;
    this.emit(owner, "item.updated", toV1(row));
    return row;
  }

  // ---- shared helpers --------------------------------------------------------------------------

  /** After a commit: delete the blobs of removed files and unpin CIDs nothing references any more. */
  cleanup(owner: string, removed: FsEntryRow[]): void {
    const cids = new Set<string>();
    // One transaction: small files' bytes are rows, and a folder of thousands is one commit, not one each.
    transaction(this.deps.db, () => {
      for (const r of removed) {
        if (r.blob) this.deps.blobs.remove(owner, r.blob);
        if (r.cid) cids.add(r.cid);
      }
    });
    for (const cid of cids) {
      if (!this.deps.repo.cidInUse(cid)) void this.deps.ipfs.unpin(cid).catch((err) => this.deps.log.warn("ipfs unpin failed", { cid, err }));
    }
  }

  /** A file's bytes were stored (for the node's metrics). */
  written(owner: string, bytes: number): void {
    this.deps.events.emit("files.written", { owner, bytes });
  }

  /** The data disk's free bytes. */
  diskFree(): number {
    return this.deps.disk().free;
  }

  /** How many distinct CIDs the node keeps pinned for files. */
  pinnedCids(): number {
    return this.deps.repo.distinctCids();
  }

  mutable(e: FsEntryRow): void {
    if (e.immutable) throw new ForbiddenError(`"${e.path === "/" ? "home" : e.name}" is a system folder and cannot be changed`, "immutable");
  }

  emit(owner: string, event: FsEvent, payload: unknown): void {
    this.deps.events.emit("files.changed", { owner, event, payload });
  }

  row(owner: string, path: string, parentUid: string | null, name: string, isDir: boolean, now: number, extra: Partial<FsEntryRow> = {}): FsEntryRow {
    return {
      uid: randomUUID(),
      owner,
      path,
      parent_uid: parentUid,
      name,
      is_dir: isDir ? 1 : 0,
      size: isDir ? null : 0,
      mime: null,
      cid: null,
      blob: null,
      immutable: 0,
      is_public: 0,
      metadata: null,
      created: now,
      modified: now,
      accessed: now,
      ...extra,
    };
  }
}

function metadataJson(value: unknown, current: string | null): string | null {
  if (value === undefined || value === null) return current;
  if (typeof value !== "object" || Array.isArray(value)) throw new ValidationError("new_metadata must be an object");
  const text = JSON.stringify(value);
  if (text.length > 8192) throw new ValidationError("new_metadata is too large");
  return text === "{}" ? null : text;
}
