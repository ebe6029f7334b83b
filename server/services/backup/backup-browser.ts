// Looking into a backup set from the desktop, and restoring single files or folders from it: the
// set's copy of the database is opened (decrypted into the node's tmp dir, read-only, kept for a few
// minutes while the Owner browses) to list what the caller's wallet had then; a restore writes the
// chosen files through the ordinary file path (quota, IPFS pin, events) into a new folder
// "Restored <time>" — never over what is there now. Every query is scoped to the caller's wallet.
import { Database } from "bun:sqlite";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { BackupKeys } from "../../backup/backup-keys.ts";
import type { BackupManifest, ManifestObject } from "../../backup/backup-manifest.ts";
import { objectPieces, readSet, RestoreRefused } from "../../backup/backup-restore.ts";
import type { BackupDestination } from "../../backup/destination.ts";
import { setTime } from "../../backup/retention.ts";
import { BackupIntegrityError } from "../../backup/sealed-chunks.ts";
import { AppError, fail, NotFoundError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { FileWriter } from "../files/file-writer.ts";
import type { FilesService } from "../files/files.service.ts";
import { baseName, displayPath, parentPath, resolvePath } from "../files/virtual-path.ts";
import type { BackupService } from "./backup.service.ts";

/** How long an opened set's database stays decrypted after the last look. */
const KEEP_OPEN_MS = 5 * 60_000;
/** Files and folders one restore may bring back. */
export const MAX_RESTORE_ENTRIES = 20_000;

export interface BackupEntry {
  name: string;
  path: string;
  isDir: boolean;
  size: number | null;
  modified: string;
}

interface Row {
  path: string;
  name: string;
  is_dir: number;
  size: number | null;
  blob: string | null;
  modified: number;
}

interface OpenSet {
  name: string;
  manifest: BackupManifest;
  db: Database;
  file: string;
  timer: ReturnType<typeof setTimeout>;
}

export interface BackupBrowserDeps {
  backup: BackupService;
  files: FilesService;
  writer: FileWriter;
  tmpDir: string;
  log: Logger;
}

export class BackupBrowser {
  private open: OpenSet | null = null;

  constructor(private readonly d: BackupBrowserDeps) {}

  stop(): void {
    this.close();
  }

  private close(): void {
    if (!this.open) return;
    clearTimeout(this.open.timer);
    this.open.db.close();
    rmSync(this.open.file, { force: true });
    this.open = null;
  }

  /** The sets at the chosen destination, newest first. */
  async sets(): Promise<{ name: string; at: string }[]> {
    const names = await this.d.backup.withChosen((destination) => destination.listSets());
    return names.reverse().map((name) => ({ name, at: setTime(name).toISOString() }));
  }

  /** The set's database copy, decrypted once and kept open for a while. */
  private async openSet(destination: BackupDestination, keys: BackupKeys & { nodeId: string }, setName: string): Promise<OpenSet> {
    if (this.open?.name === setName) {
      this.open.timer.refresh();
      return this.open;
    }
    this.close();
    let manifest: BackupManifest;
    try {
      manifest = (await readSet(destination, keys, setName)).manifest;
    } catch (err) {
      throw asAppError(err);
    }
    const dbObject = manifest.objects.find((o) => o.path === "pc2.db");
    if (!dbObject) throw fail("backup_damaged", "The backup set holds no database");
    const file = join(this.d.tmpDir, `backup-browse-${randomBytes(6).toString("hex")}.db`);
    const fd = openSync(file, "wx", 0o600);
    try {
      for await (const piece of objectPieces(destination, keys, dbObject)) for (let off = 0; off < piece.length; ) off += writeSync(fd, piece, off, piece.length - off);
    } catch (err) {
      closeSync(fd);
      rmSync(file, { force: true });
      throw asAppError(err);
    }
    closeSync(fd);
    const db = new Database(file, { readonly: true });
    const timer = setTimeout(() => this.close(), KEEP_OPEN_MS);
    timer.unref?.();
    this.open = { name: setName, manifest, db, file, timer };
    return this.open;
  }

  /** What the caller's folder `dir` held in set `setName`: folders first, then files, by name. */
  list(owner: string, setName: string, dir: string): Promise<{ path: string; entries: BackupEntry[] }> {
    const path = resolvePath(dir, owner);
    return this.d.backup.withChosen(async (destination, keys) => {
      const set = await this.openSet(destination, keys, setName);
      const folder = set.db.query<{ uid: string; is_dir: number }, [string, string]>("SELECT uid, is_dir FROM fs_entries WHERE owner = ? AND path = ?").get(owner, path);
      if (!folder?.is_dir) throw new NotFoundError(`There was no folder ${displayPath(path, owner)} in this backup`, "not_found");
      const rows = set.db
        .query<Row, [string, string]>("SELECT path, name, is_dir, size, blob, modified FROM fs_entries WHERE owner = ? AND parent_uid = ? ORDER BY is_dir DESC, name COLLATE NOCASE")
        .all(owner, folder.uid);
      return { path: displayPath(path, owner), entries: rows.map((r) => toEntry(r, owner)) };
    });
  }

  /**
   * Bring `paths` (files or folders, as the caller had them in the set) back into a new folder
   * "/Restored <set time>" of the caller's own; returns where, and how much.
   */
  restore(owner: string, setName: string, paths: string[]): Promise<{ folder: string; files: number; folders: number; bytes: number }> {
    const wanted = paths.map((p) => resolvePath(p, owner));
    if (wanted.includes("/")) throw fail("invalid_request", "Choose files or folders inside your home folder, not the home folder itself");
    return this.d.backup.withChosen(async (destination, keys) => {
      const set = await this.openSet(destination, keys, setName);
      const objects = new Map(set.manifest.objects.map((o) => [o.path, o]));
      // Every chosen entry with what lies under it, each with the path it gets inside the new folder.
      const plan: { row: Row; relative: string }[] = [];
      for (const path of new Set(wanted)) {
        const root = set.db.query<Row, [string, string]>("SELECT path, name, is_dir, size, blob, modified FROM fs_entries WHERE owner = ? AND path = ?").get(owner, path);
        if (!root) throw new NotFoundError(`There was no ${displayPath(path, owner)} in this backup`, "not_found");
        const under = root.is_dir
          ? set.db
              .query<Row, [string, string, string]>("SELECT path, name, is_dir, size, blob, modified FROM fs_entries WHERE owner = ? AND substr(path, 1, length(?) + 1) = ? || '/' ORDER BY path")
              .all(owner, path, path)
          : [];
        const base = parentPath(path);
        for (const row of [root, ...under]) plan.push({ row, relative: row.path.slice(base === "/" ? 0 : base.length) });
        if (plan.length > MAX_RESTORE_ENTRIES) throw fail("invalid_request", `At most ${MAX_RESTORE_ENTRIES} files and folders in one restore: choose fewer`);
      }
      const stamp = set.name.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2}).*$/, "$1-$2-$3 $4-$5-$6");
      const target = this.d.files.mkdir(owner, { path: `~/Restored ${stamp}`, createParents: true, overwrite: false, dedupe: true });
      let files = 0;
      let folders = 0;
      let bytes = 0;
      for (const { row, relative } of plan) {
        const dest = `${target.path}${relative}`;
        if (row.is_dir) {
          this.d.files.mkdir(owner, { path: displayPath(dest, owner), createParents: true, overwrite: true, dedupe: false });
          folders++;
          continue;
        }
        const obj = row.blob ? objects.get(`files/${owner}/${row.blob.slice(0, 2)}/${row.blob}`) : undefined;
        if (!obj) throw fail("backup_damaged", `The backup set lacks the bytes of ${baseName(row.path)}`);
        await this.d.writer.write(owner, dest, pieces(destination, keys, obj), { createParents: true, overwrite: false, dedupe: false, size: obj.size });
        files++;
        bytes += obj.size;
      }
      this.d.log.info("files restored from a backup", { set: set.name, files, folders, bytes });
      return { folder: displayPath(target.path, owner), files, folders, bytes };
    });
  }
}

/** An object's pieces, where a damaged chunk becomes the API's error (and the write is abandoned). */
async function* pieces(destination: BackupDestination, keys: BackupKeys, obj: ManifestObject): AsyncGenerator<Uint8Array> {
  try {
    yield* objectPieces(destination, keys, obj);
  } catch (err) {
    throw asAppError(err);
  }
}

function toEntry(r: Row, owner: string): BackupEntry {
  return { name: r.name, path: displayPath(r.path, owner), isDir: r.is_dir === 1, size: r.is_dir ? null : r.size, modified: new Date(r.modified).toISOString() };
}

function asAppError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof RestoreRefused) return fail("backup_set_not_found", err.message);
  if (err instanceof BackupIntegrityError) return fail("backup_damaged", err.message);
  return err;
}
