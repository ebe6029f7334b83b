// Backups of this node, run by the node itself (Settings, the API, `pc2 backup create` through the
// control socket): one at a time, into the folder the Owner chose, then pruned under the retention
// policy in the same turn (a prune never overlaps a backup). The last result is kept for Settings.
import type { Database } from "../../db/database.ts";
import { fail } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { backupKeysOf } from "../../backup/backup-keys.ts";
import type { BackupStats } from "../../backup/backup-writer.ts";
import { FolderDestination } from "../../backup/folder-destination.ts";
import { backupNodeToFolder } from "../../backup/node-backup.ts";
import { DEFAULT_RETENTION, pruneBackups } from "../../backup/retention.ts";
import type { BlobStore } from "../files/blob-store.ts";
import type { IdentityService } from "../identity/identity.service.ts";
import type { SettingsRepository } from "../settings/settings.repository.ts";

const FOLDER_KEY = "backup.folder";
const LAST_KEY = "backup.last";

export interface BackupRecord {
  at: string;
  folder: string;
  ok: boolean;
  set: string | null;
  objects: number;
  bytes: number;
  bytesWritten: number;
  setsKept: number;
  error: string | null;
}

export interface BackupStatus {
  folder: string | null;
  running: boolean;
  last: BackupRecord | null;
}

export interface BackupServiceDeps {
  db: Database;
  dataDir: string;
  blobs: BlobStore;
  identity: IdentityService;
  settings: SettingsRepository;
  log: Logger;
}

export class BackupService {
  private running: Promise<BackupRecord> | null = null;

  constructor(private readonly d: BackupServiceDeps) {}

  status(): BackupStatus {
    const last = this.d.settings.get(LAST_KEY);
    return { folder: this.d.settings.get(FOLDER_KEY), running: this.running !== null, last: last ? (JSON.parse(last) as BackupRecord) : null };
  }

  /** Back up into `folder` (remembered for next time) and prune; one run at a time. */
  run(folder: string): Promise<BackupRecord> {
    if (this.running) throw fail("backup_running");
    if (!folder.startsWith("/") || folder.includes("\0")) throw fail("invalid_backup_folder");
    this.d.settings.set(FOLDER_KEY, folder);
    this.running = this.doRun(folder).finally(() => (this.running = null));
    return this.running;
  }

  private async doRun(folder: string): Promise<BackupRecord> {
    const started = new Date();
    const identity = this.d.identity.info();
    const secret = this.d.identity.secretKey();
    let record: BackupRecord;
    try {
      const stats: BackupStats = await backupNodeToFolder({
        db: this.d.db,
        dataDir: this.d.dataDir,
        nodeId: identity.nodeId,
        nodeSecretKey: secret,
        holdRemovals: () => this.d.blobs.holdRemovals(),
        folder,
        now: started,
      });
      const keys = { ...(await backupKeysOf(secret)), nodeId: identity.nodeId };
      const pruned = await pruneBackups(new FolderDestination(folder, identity.nodeId), keys, DEFAULT_RETENTION);
      record = {
        at: started.toISOString(),
        folder,
        ok: true,
        set: stats.set,
        objects: stats.objects,
        bytes: stats.bytes,
        bytesWritten: stats.bytesWritten,
        setsKept: pruned.keptSets.length,
        error: null,
      };
      this.d.log.info("backup written", { folder, set: stats.set, objects: stats.objects, bytesWritten: stats.bytesWritten, setsKept: pruned.keptSets.length, deletedChunks: pruned.deletedChunks });
    } catch (err) {
      const message = (err as NodeJS.ErrnoException).code ? `${(err as NodeJS.ErrnoException).code}: ${(err as Error).message}` : (err as Error).message;
      record = { at: started.toISOString(), folder, ok: false, set: null, objects: 0, bytes: 0, bytesWritten: 0, setsKept: 0, error: message.slice(0, 500) };
      this.d.log.warn("backup failed", { folder, reason: record.error });
    }
    this.d.settings.set(LAST_KEY, JSON.stringify(record));
    return record;
  }
}
