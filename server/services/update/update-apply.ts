// Applying an update, and rolling back by hand — the running node's half (the other half runs at the
// next start: server/update/update-trial.ts). Apply: download the checked release resumably into the
// data dir and verify it, back the node up (no backup, no update), then hand over: the node stops
// taking work and finishes what it has, the database is copied, the update is staged and the process
// restarts. Rollback: hand over to the release kept as `previous`; when the update changed the
// database's schema, only with the Owner's consent to put back the pre-update database.
import { existsSync, statSync } from "node:fs";
import { fail } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { schemaVersions } from "../../update/database-snapshot.ts";
import { linkedVersion, previousLink, releaseBinary } from "../../update/install-layout.ts";
import { downloadRelease } from "../../update/release-download.ts";
import type { ReleaseManifest } from "../../update/release-manifest.ts";
import type { Handover } from "../../update/stage-update.ts";
import { preUpdateSnapshot } from "../../update/update-trial.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { BackupRecord, BackupTarget } from "../backup/backup.service.ts";

export type ApplyStep = "idle" | "downloading" | "backing-up" | "restarting" | "failed";

export interface ApplyProgress {
  step: ApplyStep;
  kind: "update" | "rollback" | null;
  /** The version being installed. */
  version: string | null;
  received: number;
  size: number;
  error: string | null;
  startedAt: string | null;
}

export interface ApplyDeps {
  dataDir: string;
  /** The release this process runs as (releases/<version>/pc2), or null: it cannot update itself. */
  installed: string | null;
  backup: { target(): BackupTarget | null; run(target: BackupTarget): Promise<BackupRecord> };
  audit: AuditService;
  /** The schema versions the open database has applied. */
  schema: () => number[];
  log: Logger;
}

export const IDLE_PROGRESS: ApplyProgress = { step: "idle", kind: null, version: null, received: 0, size: 0, error: null, startedAt: null };

export class UpdateApplier {
  private progress: ApplyProgress = IDLE_PROGRESS;
  private busy = false;
  private handover: ((h: Handover) => Promise<void>) | null = null;

  constructor(private readonly d: ApplyDeps) {}

  /** How the process stops and restarts into another release (wired by `pc2 start`). */
  setHandover(fn: (h: Handover) => Promise<void>): void {
    this.handover = fn;
  }

  get managed(): boolean {
    return this.d.installed !== null;
  }

  status(): ApplyProgress {
    return { ...this.progress };
  }

  /** The release `pc2 update rollback` would go back to. */
  previous(): string | null {
    const v = linkedVersion(previousLink(this.d.dataDir));
    return v && v !== this.d.installed && existsSync(releaseBinary(this.d.dataDir, v)) ? v : null;
  }

  private begin(kind: "update" | "rollback", version: string, size: number): void {
    if (!this.managed || !this.handover) throw fail("update_not_installed");
    if (this.busy) throw fail("update_running");
    this.busy = true;
    this.progress = { ...IDLE_PROGRESS, step: kind === "update" ? "downloading" : "restarting", kind, version, size, startedAt: new Date().toISOString() };
  }

  private failed(err: unknown): void {
    const message = (err as Error).message.slice(0, 500);
    this.progress = { ...this.progress, step: "failed", error: message };
    this.busy = false;
    this.d.log.error("update not applied", { version: this.progress.version, error: message });
  }

  /** Start installing `m` (already checked); progress shows in status(). Refusals that need no work throw now. */
  apply(m: ReleaseManifest, actor: string | null): void {
    if (!this.managed || !this.handover) throw fail("update_not_installed");
    const target = this.d.backup.target();
    if (!target) throw fail("update_no_backup");
    this.begin("update", m.version, m.size);
    this.d.audit.record({ actor, action: "update.apply", detail: { from: this.d.installed, to: m.version } });
    void this.run(m, target).catch((err) => this.failed(err));
  }

  private async run(m: ReleaseManifest, target: BackupTarget): Promise<void> {
    await downloadRelease(m, this.d.dataDir, (p) => (this.progress = { ...this.progress, received: p.received }));
    this.progress = { ...this.progress, step: "backing-up", received: m.size };
    const backup = await this.d.backup.run(target).catch((err: Error) => ({ ok: false, error: err.message }) as BackupRecord);
    if (!backup.ok) throw new Error(`the backup before the update failed, so nothing was changed: ${backup.error}`);
    this.progress = { ...this.progress, step: "restarting" };
    await this.handover!({ kind: "update", to: m.version, trialDatabase: null });
  }

  /**
   * Go back to the previous release. When the update changed the database's schema, the previous
   * release cannot read it: the pre-update copy is put back, which loses what changed since —
   * refused unless `force`.
   */
  rollback(actor: string | null, force: boolean): void {
    if (!this.managed || !this.handover) throw fail("update_not_installed");
    const previous = this.previous();
    if (!previous) throw fail("update_no_previous");
    const snapshot = preUpdateSnapshot(this.d.dataDir, previous);
    let trialDatabase: string | null = null;
    if (existsSync(snapshot)) {
      const before = new Set(schemaVersions(snapshot));
      const added = this.d.schema().filter((v) => !before.has(v));
      if (added.length) {
        if (!force)
          throw fail(
            "update_rollback_loses_data",
            `PC2 ${this.d.installed} changed the database (schema ${added.join(", ")}): rolling back to ${previous} puts back the database as it was before the update (${statSync(snapshot).mtime.toISOString()}), and what changed since is lost. Confirm to go ahead.`,
          );
        trialDatabase = snapshot;
      }
    }
    this.begin("rollback", previous, 0);
    this.d.audit.record({ actor, action: "update.rollback", detail: { from: this.d.installed, to: previous, databaseRestored: trialDatabase !== null } });
    // After this answer is on its way: the handover stops the listeners it goes out on.
    setTimeout(() => void this.handover!({ kind: "rollback", to: previous, trialDatabase }).catch((err) => this.failed(err)), 100);
  }
}
