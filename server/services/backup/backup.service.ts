// Backups of this node, run by the node itself (Settings, the API, `pc2 backup create` through the
// control socket, and every day once the Owner has chosen a destination): one at a time, into a
// folder on this machine or onto a friend's node found by its Node ID, then pruned under the
// retention policy in the same turn (a prune never overlaps a backup). The last result and the last
// good one are kept for Settings.
import type { Database } from "../../db/database.ts";
import { fail } from "../../errors.ts";
import type { EventBus } from "../../events.ts";
import type { Logger } from "../../log.ts";
import type { BackupStats } from "../../backup/backup-writer.ts";
import type { BackupDestination } from "../../backup/destination.ts";
import { type BackupKeys, backupKeysOf } from "../../backup/backup-keys.ts";
import { ArchiveStreamDestination } from "../../backup/archive-destination.ts";
import { setNameAt } from "../../backup/destination.ts";
import { backupAndPrune, backupNode, folderDestination } from "../../backup/node-backup.ts";
import { PeerDestination } from "../../backup/peer-destination.ts";
import type { BlobStore } from "../files/blob-store.ts";
import type { IdentityService } from "../identity/identity.service.ts";
import type { SettingsRepository } from "../settings/settings.repository.ts";
import { parseNodeId } from "./backup-hosting.ts";

/** Where backups go: a folder on this machine (a USB disk, a NAS mount) or a friend's node. */
export type BackupTarget = { kind: "folder"; folder: string } | { kind: "node"; nodeId: string };

const TARGET_KEY = "backup.destination";
/** Before friends' nodes, the chosen folder was kept alone under this key. */
const OLD_FOLDER_KEY = "backup.folder";
const LAST_KEY = "backup.last";
const LAST_GOOD_KEY = "backup.lastGood";
/** A backup a day once a folder is chosen; after a failure, the next try an hour later. */
export const BACKUP_INTERVAL_MS = 24 * 60 * 60_000;
const RETRY_AFTER_FAILURE_MS = 60 * 60_000;
const CHECK_EVERY_MS = 10 * 60_000;

export interface BackupRecord {
  at: string;
  /** The folder, or "node <Node ID>". */
  destination: string;
  ok: boolean;
  set: string | null;
  objects: number;
  bytes: number;
  bytesWritten: number;
  setsKept: number;
  error: string | null;
}

export interface BackupStatus {
  destination: BackupTarget | null;
  running: boolean;
  last: BackupRecord | null;
  /** The last backup that worked (the one a restore would use). */
  lastGood: BackupRecord | null;
  /** When the schedule runs the next one (null: no destination chosen yet). */
  nextAt: string | null;
}

export interface BackupServiceDeps {
  db: Database;
  dataDir: string;
  blobs: BlobStore;
  identity: IdentityService;
  settings: SettingsRepository;
  /** Where a friend's node answers, found by its Node ID (networking must be on). */
  peerAddresses: (nodeId: string) => Promise<string[]>;
  /** Where "backup.finished" goes (the Owner's desktop hears of it). */
  events?: EventBus;
  log: Logger;
}

export class BackupService {
  /** The backup turn: a backup, a download, or a look into a set (never two at once on a destination). */
  private running: Promise<unknown> | null = null;
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
    if (!raw) return null;
    const { folder, ...record } = JSON.parse(raw) as BackupRecord & { folder?: string };
    return { ...record, destination: record.destination ?? folder };
  }

  nodeId(): string {
    return this.d.identity.info().nodeId;
  }

  /** The destination the Owner chose last (null: none yet). */
  target(): BackupTarget | null {
    const raw = this.d.settings.get(TARGET_KEY);
    if (raw) return JSON.parse(raw) as BackupTarget;
    const folder = this.d.settings.get(OLD_FOLDER_KEY);
    return folder ? { kind: "folder", folder } : null;
  }

  status(): BackupStatus {
    const destination = this.target();
    const next = destination ? this.nextAt() : null;
    return { destination, running: this.running !== null, last: this.record(LAST_KEY), lastGood: this.record(LAST_GOOD_KEY), nextAt: next?.toISOString() ?? null };
  }

  /** A day after the last good backup; an hour after a failure; now when there was none. */
  private nextAt(): Date {
    const good = this.record(LAST_GOOD_KEY);
    const last = this.record(LAST_KEY);
    const afterGood = good ? Date.parse(good.at) + BACKUP_INTERVAL_MS : 0;
    const afterFailure = last && !last.ok ? Date.parse(last.at) + RETRY_AFTER_FAILURE_MS : 0;
    return new Date(Math.max(afterGood, afterFailure));
  }

  /** The schedule: back up to the chosen destination when one is due at `now`. */
  async runIfDue(now: Date): Promise<BackupRecord | null> {
    const target = this.target();
    if (!target || this.running || now < this.nextAt()) return null;
    return this.run(target, now);
  }

  /** Back up to `target` (remembered for next time) and prune; one run at a time. */
  run(target: BackupTarget, now = new Date()): Promise<BackupRecord> {
    if (this.running) throw fail("backup_running");
    const checked = checkTarget(target, this.d.identity.info().nodeId);
    this.d.settings.set(TARGET_KEY, JSON.stringify(checked));
    const run = this.doRun(checked, now);
    this.running = run.finally(() => (this.running = null));
    return run;
  }

  /**
   * A full backup set as a tar archive, streamed as it is written (a download from the desktop). It
   * holds the same turn as other backups until the archive is read to its end, cut off, or stalled.
   */
  download(now = new Date()): { body: ReadableStream<Uint8Array>; filename: string; set: string } {
    if (this.running) throw fail("backup_running");
    const nodeId = this.d.identity.info().nodeId;
    const archive = new ArchiveStreamDestination(nodeId, now);
    const run = backupNode({
      db: this.d.db,
      dataDir: this.d.dataDir,
      nodeId,
      nodeSecretKey: this.d.identity.secretKey(),
      holdRemovals: () => this.d.blobs.holdRemovals(),
      destination: archive,
      now,
    }).then(
      async (stats) => {
        await archive.finish();
        this.d.log.info("backup downloaded", { set: stats.set, objects: stats.objects, bytesWritten: stats.bytesWritten });
        return backupRecord(now, archive.label, { ...stats, setsKept: 1 });
      },
      (err: Error) => {
        archive.fail(err);
        this.d.log.warn("backup download cut off", { reason: err.message });
        return backupRecord(now, archive.label, err);
      },
    );
    this.running = run.finally(() => (this.running = null));
    return { body: archive.readable, filename: `pc2-backup-${nodeId.slice(0, 8)}-${setNameAt(now)}.tar`, set: setNameAt(now) };
  }

  /**
   * `use` the chosen destination with this node's backup keys, in the backup turn (no backup or
   * prune changes it meanwhile): browsing a set, restoring files from it.
   */
  withChosen<T>(use: (destination: BackupDestination, keys: BackupKeys & { nodeId: string }) => Promise<T>): Promise<T> {
    if (this.running) throw fail("backup_running");
    const target = this.target();
    if (!target) throw fail("backup_no_destination");
    const work = (async () => use(await this.open(target), { ...(await backupKeysOf(this.d.identity.secretKey())), nodeId: this.nodeId() }))();
    this.running = work.finally(() => (this.running = null)).catch(() => {});
    return work;
  }

  private async open(target: BackupTarget): Promise<BackupDestination> {
    const nodeId = this.d.identity.info().nodeId;
    if (target.kind === "folder") return folderDestination(target.folder, nodeId);
    return PeerDestination.connect(this.d.identity.bosonKeys(), target.nodeId, await this.d.peerAddresses(target.nodeId));
  }

  private async doRun(target: BackupTarget, started: Date): Promise<BackupRecord> {
    const label = targetLabel(target);
    let record: BackupRecord;
    try {
      const done = await backupAndPrune({
        db: this.d.db,
        dataDir: this.d.dataDir,
        nodeId: this.d.identity.info().nodeId,
        nodeSecretKey: this.d.identity.secretKey(),
        holdRemovals: () => this.d.blobs.holdRemovals(),
        destination: await this.open(target),
        now: started,
      });
      record = backupRecord(started, label, done);
      this.d.log.info("backup written", { destination: label, set: done.set, objects: done.objects, bytesWritten: done.bytesWritten, setsKept: done.setsKept, deletedChunks: done.deletedChunks });
    } catch (err) {
      record = backupRecord(started, label, err as Error);
      this.d.log.warn("backup failed", { destination: label, reason: record.error });
    }
    this.d.settings.set(LAST_KEY, JSON.stringify(record));
    if (record.ok) this.d.settings.set(LAST_GOOD_KEY, JSON.stringify(record));
    this.d.events?.emit("backup.finished", { ok: record.ok, destination: record.destination, set: record.set, bytesWritten: record.bytesWritten, error: record.error });
    return record;
  }
}

/** A target as given (a folder or a Node ID, exactly one), checked: an absolute folder, a Node ID that is not this node's. */
export function checkTarget(target: { kind?: string; folder?: string; nodeId?: string }, ownNodeId: string): BackupTarget {
  if (target.kind === "folder" && typeof target.folder === "string") {
    if (!target.folder.startsWith("/") || target.folder.includes("\0")) throw fail("invalid_backup_folder");
    return { kind: "folder", folder: target.folder };
  }
  if (target.kind === "node" && typeof target.nodeId === "string") {
    const nodeId = parseNodeId(target.nodeId);
    if (nodeId === ownNodeId) throw fail("invalid_backup_destination", "A node cannot keep its own backups: choose a folder on another disk, or a friend's node");
    return { kind: "node", nodeId };
  }
  throw fail("invalid_backup_destination");
}

/** How messages name a target: the folder, or "node <Node ID>". */
export function targetLabel(target: BackupTarget): string {
  return target.kind === "folder" ? target.folder : `node ${target.nodeId}`;
}

/** What Settings, the API and the CLI report of one backup: its numbers, or why it failed. */
export function backupRecord(at: Date, destination: string, outcome: (BackupStats & { setsKept: number }) | Error): BackupRecord {
  if (outcome instanceof Error) {
    const code = (outcome as NodeJS.ErrnoException).code;
    return {
      at: at.toISOString(),
      destination,
      ok: false,
      set: null,
      objects: 0,
      bytes: 0,
      bytesWritten: 0,
      setsKept: 0,
      error: (typeof code === "string" && /^E[A-Z]+$/.test(code) ? `${code}: ${outcome.message}` : outcome.message).slice(0, 500),
    };
  }
  return { at: at.toISOString(), destination, ok: true, set: outcome.set, objects: outcome.objects, bytes: outcome.bytes, bytesWritten: outcome.bytesWritten, setsKept: outcome.setsKept, error: null };
}
