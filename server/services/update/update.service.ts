// Updates as the Owner sees them: the signed release manifest at the configured URL, fetched on a
// schedule (an hour after start, then every 6 hours) and when the Owner asks. A release is
// "available" only when release-manifest.ts accepts it (publisher signature, platform, channel,
// newer, minFrom); anything else is reported with its reason, never acted on. Applying it (and
// rolling back) is update-apply.ts; how the last one ended is read from the data dir. A node run
// from source is told how source installs update (git and npm): PC2 never changes its source tree.
import { COMPILED } from "../../build-constants.ts";
import type { UpdateConfig } from "../../config.ts";
import { fail } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { Handover } from "../../update/stage-update.ts";
import { readOutcome, type UpdateOutcome, writeOutcome } from "../../update/pending-update.ts";
import { checkRelease, type ReleaseManifest, ReleaseRefused, thisPlatform } from "../../update/release-manifest.ts";
import type { AuditService } from "../audit/audit.service.ts";
import { VERSION } from "../system/system.service.ts";
import { type ApplyProgress, IDLE_PROGRESS, type UpdateApplier } from "./update-apply.ts";

const FIRST_CHECK_MS = 60 * 60_000;
const CHECK_EVERY_MS = 6 * 60 * 60_000;
const FETCH_TIMEOUT_MS = 15_000;
const MAX_MANIFEST_BYTES = 256 * 1024;

export type UpdateState = "not-configured" | "unchecked" | "up-to-date" | "available" | "refused" | "failed";

export interface UpdateStatus {
  current: string;
  channel: string;
  platform: string;
  /** "binary": the single binary, which can update itself; "source": a checkout (git and npm). */
  install: "binary" | "source";
  state: UpdateState;
  summary: string;
  checkedAt: string | null;
  available: { version: string; notes: string; size: number; minFrom: string } | null;
  /** Why the last check found nothing usable (a bad signature, another platform, a network error). */
  reason: string | null;
  /** Runs as an installed release (releases/<version>/pc2), which can update and roll back itself. */
  managed: boolean;
  /** An update or rollback under way (or the last one that failed before the restart). */
  apply: ApplyProgress;
  /** The release a rollback goes back to. */
  previous: string | null;
  /** How the last update or rollback ended (after its restart). */
  lastOutcome: UpdateOutcome | null;
}

export interface UpdateDeps {
  config: UpdateConfig;
  dataDir: string;
  /** Installing and rolling back (absent for a check from the CLI with no node running). */
  applier?: UpdateApplier;
  audit?: AuditService;
  log: Logger;
  running?: string;
  install?: "binary" | "source";
}

export class UpdateService {
  private state: UpdateState;
  private checkedAt: Date | null = null;
  private available: UpdateStatus["available"] = null;
  private manifest: ReleaseManifest | null = null;
  private reason: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<UpdateStatus> | null = null;
  private readonly current: string;
  private readonly install: "binary" | "source";

  constructor(private readonly d: UpdateDeps) {
    this.current = d.running ?? VERSION;
    this.install = d.install ?? (COMPILED ? "binary" : "source");
    this.state = this.configured() ? "unchecked" : "not-configured";
  }

  private configured(): boolean {
    return this.d.config.manifestUrl !== null && this.d.config.publicKey !== null;
  }

  start(): void {
    this.recordOutcome();
    if (!this.configured()) return;
    const next = (ms: number) => {
      this.timer = setTimeout(() => void this.check().finally(() => next(CHECK_EVERY_MS)), ms);
      this.timer.unref?.();
    };
    next(FIRST_CHECK_MS);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The last update's outcome goes into the audit log once, at the first start after it. */
  private recordOutcome(): void {
    const o = readOutcome(this.d.dataDir);
    if (!o || o.audited || !this.d.audit) return;
    this.d.audit.record({ actor: null, action: "update.result", detail: { kind: o.kind, from: o.from, to: o.to, result: o.result, reason: o.reason } });
    writeOutcome(this.d.dataDir, { ...o, audited: true });
  }

  /** How the process stops and restarts into another release (wired by `pc2 start`). */
  setHandover(fn: (h: Handover) => Promise<void>): void {
    this.d.applier?.setHandover(fn);
  }

  /** Install the published release (checked again first). The Owner's; progress in status().apply. */
  async apply(actor: string | null): Promise<UpdateStatus> {
    const applier = this.d.applier;
    if (!applier?.managed) throw fail("update_not_installed");
    await this.check();
    if (this.state !== "available" || !this.manifest) throw fail("update_not_available", this.reason ? `No release to install: ${this.reason}` : this.summary());
    applier.apply(this.manifest, actor);
    return this.status();
  }

  rollback(actor: string | null, force: boolean): UpdateStatus {
    if (!this.d.applier) throw fail("update_not_installed");
    this.d.applier.rollback(actor, force);
    return this.status();
  }

  status(): UpdateStatus {
    return {
      current: this.current,
      channel: this.d.config.channel,
      platform: thisPlatform(),
      install: this.install,
      state: this.state,
      summary: this.summary(),
      checkedAt: this.checkedAt?.toISOString() ?? null,
      available: this.available,
      reason: this.reason,
      managed: this.d.applier?.managed ?? false,
      apply: this.d.applier?.status() ?? IDLE_PROGRESS,
      previous: this.d.applier?.previous() ?? null,
      lastOutcome: readOutcome(this.d.dataDir),
    };
  }

  private summary(): string {
    const a = this.available;
    switch (this.state) {
      case "not-configured":
        return this.d.config.publicKey === null
          ? "Updates are off: this build trusts no release key (set update.publicKey and update.manifestUrl to follow your own releases)."
          : "Updates are off: no release manifest URL is set (update.manifestUrl).";
      case "unchecked":
        return "Not checked yet.";
      case "up-to-date":
        return `PC2 ${this.current} is the newest ${this.d.config.channel} release.`;
      case "available":
        if (this.install === "source") return `PC2 ${a!.version} is available. This node runs from source: update it with git pull and npm ci, then restart (PC2 never changes its source tree).`;
        return this.d.applier?.managed
          ? `PC2 ${a!.version} is available (running ${this.current}).`
          : `PC2 ${a!.version} is available. This binary is not installed as a service: install it with \`pc2 service install\` to update in place, or replace the binary by hand.`;
      case "refused":
        return `The published release was refused: ${this.reason}`;
      case "failed":
        return `The check failed: ${this.reason}`;
    }
  }

  /** Fetch and check the manifest now (one check at a time). */
  check(): Promise<UpdateStatus> {
    this.running ??= this.doCheck().finally(() => (this.running = null));
    return this.running;
  }

  private async doCheck(): Promise<UpdateStatus> {
    if (!this.configured()) return this.status();
    const c = this.d.config;
    try {
      const doc = await fetchManifest(c.manifestUrl!);
      try {
        const m = checkRelease(doc, { publicKey: c.publicKey!, running: this.current, platform: thisPlatform(), channel: c.channel });
        this.state = "available";
        this.manifest = m;
        this.available = { version: m.version, notes: m.notes, size: m.size, minFrom: m.minFrom };
        this.reason = null;
      } catch (err) {
        if (!(err instanceof ReleaseRefused)) throw err;
        this.available = null;
        this.manifest = null;
        this.state = err.reason === "not_newer" ? "up-to-date" : "refused";
        this.reason = err.reason === "not_newer" ? null : err.message;
        if (this.state === "refused") this.d.log.warn("release refused", { reason: err.reason, detail: err.message });
      }
    } catch (err) {
      this.state = "failed";
      this.available = null;
      this.manifest = null;
      this.reason = (err as Error).message.slice(0, 300);
      this.d.log.warn("update check failed", { reason: this.reason });
    }
    this.checkedAt = new Date();
    return this.status();
  }
}

async function fetchManifest(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: "follow", headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`the manifest URL answered HTTP ${res.status}`);
  const declared = Number(res.headers.get("content-length") ?? 0);
  if (declared > MAX_MANIFEST_BYTES) throw new Error("the manifest is too large");
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = res.body!.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    size += r.value.length;
    if (size > MAX_MANIFEST_BYTES) {
      await reader.cancel();
      throw new Error("the manifest is too large");
    }
    parts.push(r.value);
  }
  try {
    return JSON.parse(new TextDecoder().decode(Buffer.concat(parts)));
  } catch {
    throw new Error("the manifest is not JSON");
  }
}
