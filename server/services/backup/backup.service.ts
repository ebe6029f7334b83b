// Backups of this node, run by the node itself (Settings, the API, `pc2 backup create` through the
// control socket, and every day once the Owner has chosen a folder): one at a time, into that
// folder, then pruned under the retention policy in the same turn (a prune never overlaps a
// backup). The last result and the last good one are kept for Settings.
import type { Database } from "../../db/database.ts";
import { fail } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { BackupStats } from "../../backup/backup-writer.ts";
import { backupAndPrune } from "../../backup/node-backup.ts";
import type { BlobStore } from "../files/blob-store.ts";
import type { IdentityService } from "../identity/identity.service.ts";
import type { SettingsRepository } from "../settings/settings.repository.ts";

const FOLDER_KEY = "backup.folder";
const LAST_KEY = "backup.last";
const LAST_GOOD_KEY = "backup.lastGood";
/** A backup a day once a folder is chosen; after a failure, the next try an hour later. */
export const BACKUP_INTERVAL_MS = 24 * 60 * 60_000;
const RETRY_AFTER_FAILURE_MS = 60 * 60_000;
const CHECK_EVERY_MS = 10 * 60_000;

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
  /** The last backup that worked (the one a restore would use). */
  lastGood: BackupRecord | null;
  /** When the schedule runs the next one (null: no folder chosen yet). */
  nextAt: string | null;
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
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly d: BackupServiceDeps) {}

  start(): void {
    this.timer = setInterval(() => void this.runIfDue(new Date()), CHECK_EVERY_MS);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private record(key: string): BackupRecord | null {
    const raw = this.d.settings.get(key);
    return raw ? (JSON.parse(raw) as BackupRecord) : null;
  }

  status(): BackupStatus {
    const folder = this.d.settings.get(FOLDER_KEY);
    const next = folder ? this.nextAt() : null;
    return { folder, running: this.running !== null, last: this.record(LAST_KEY), lastGood: this.record(LAST_GOOD_KEY), nextAt: next?.toISOString() ?? null };
  }

  /** A day after the last good backup; an hour after a failure; now when there was none. */
  private nextAt(): Date {
    const good = this.record(LAST_GOOD_KEY);
    const last = this.record(LAST_KEY);
    const afterGood = good ? Date.parse(good.at) + BACKUP_INTERVAL_MS : 0;
    const afterFailure = last && !last.ok ? Date.parse(last.at) + RETRY_AFTER_FAILURE_MS : 0;
    return new Date(Math.max(afterGood, afterFailure));
  }

  /** The schedule: back up into the chosen folder when one is due at `now`. */
  async runIfDue(now: Date): Promise<BackupRecord | null> {
    const folder = this.d.settings.get(FOLDER_KEY);
    if (!folder || this.running || now < this.nextAt()) return null;
    return this.run(folder, now);
  }

  /** Back up into `folder` (remembered for next time) and prune; one run at a time. */
  run(folder: string, now = new Date()): Promise<BackupRecord> {
    if (this.running) throw fail("backup_running");
    if (!folder.startsWith("/") || folder.includes("\0")) throw fail("invalid_backup_folder");
    this.d.settings.set(FOLDER_KEY, folder);
    this.running = this.doRun(folder, now).finally(() => (this.running = null));
    return this.running;
  }

  private async doRun(folder: string, started: Date): Promise<BackupRecord> {
    let record: BackupRecord;
    try {
      const done = await backupAndPrune({
        db: this.d.db,
        dataDir: this.d.dataDir,
        nodeId: this.d.identity.info().nodeId,
        nodeSecretKey: this.d.identity.secretKey(),
        holdRemovals: () => this.d.blobs.holdRemovals(),
        folder,
        now: started,
      });
      record = backupRecord(started, folder, done);
      this.d.log.info("backup written", { folder, set: done.set, objects: done.objects, bytesWritten: done.bytesWritten, setsKept: done.setsKept, deletedChunks: done.deletedChunks });
    } catch (err) {
      record = backupRecord(started, folder, err as Error);
      this.d.log.warn("backup failed", { folder, reason: record.error });
    }
    this.d.settings.set(LAST_KEY, JSON.stringify(record));
    if (record.ok) this.d.settings.set(LAST_GOOD_KEY, JSON.stringify(record));
    return record;
  }
}

/** What Settings, the API and the CLI report of one backup: its numbers, or why it failed. */
export function backupRecord(at: Date, folder: string, outcome: (BackupStats & { setsKept: number }) | Error): BackupRecord {
  if (outcome instanceof Error) {
    const code = (outcome as NodeJS.ErrnoException).code;
    return { at: at.toISOString(), folder, ok: false, set: null, objects: 0, bytes: 0, bytesWritten: 0, setsKept: 0, error: (code ? `${code}: ${outcome.message}` : outcome.message).slice(0, 500) };
  }
  return { at: at.toISOString(), folder, ok: true, set: outcome.set, objects: outcome.objects, bytes: outcome.bytes, bytesWritten: outcome.bytesWritten, setsKept: outcome.setsKept, error: null };
}
