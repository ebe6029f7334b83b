// <pc2-backup-settings>: the Owner's Backups tab. Says plainly, before the first backup, that the
// 12-word phrase is the only key; takes a folder on the node's machine (a USB disk, a NAS mount),
// backs up now, and shows the last result (and warns when the last good one is more than a day old).
import { LitElement, css, html, nothing } from "lit";
import type { BackupRecord, BackupStatus } from "../../../server/services/backup/backup.service.ts";
import { api } from "../../api/rest-client.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";
import { formatSize } from "../files/entry.ts";

const DAY_MS = 86_400_000;

export class Pc2BackupSettings extends LitElement {
  static override properties = { status: { state: true }, busy: { state: true }, note: { state: true } };
  status: BackupStatus | null = null;
  busy = false;
  note: { text: string; error: boolean } | null = null;

  static override styles = [
    sharedStyles,
    css`
      form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; margin: 0.75rem 0; }
      label { display: grid; gap: 0.25rem; font-size: 0.85rem; }
      input[name="folder"] { min-width: min(24rem, 70vw); }
      .key { border-left: 3px solid var(--pc2-bad, #e5484d); padding-left: 0.75rem; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    api.get<BackupStatus>("/api/backup").then(
      (s) => (this.status = s),
      (err: Error) => (this.note = { text: err.message, error: true }),
    );
  }

  private async run(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const folder = String(new FormData(e.target as HTMLFormElement).get("folder") ?? "").trim();
    this.busy = true;
    this.note = { text: "Backing up…", error: false };
    try {
      const record = await api.post<BackupRecord>("/api/backup/run", { folder });
      this.status = { folder, running: false, last: record, lastGood: record.ok ? record : (this.status?.lastGood ?? null), nextAt: this.status?.nextAt ?? null };
      this.note = record.ok
        ? { text: `Backed up: ${record.objects} objects, ${formatSize(record.bytes)} (${formatSize(record.bytesWritten)} new).`, error: false }
        : { text: `The backup failed: ${record.error}`, error: true };
    } catch (err) {
      this.note = { text: (err as Error).message, error: true };
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const s = this.status;
    const last = s?.last ?? null;
    const good = s?.lastGood ?? null;
    // Older than the daily schedule (with an hour's grace), or the last attempt failed.
    const stale = (last && !last.ok) || (good && Date.now() - Date.parse(good.at) > DAY_MS + 3_600_000);
    return html`<h2>Backups</h2>
      <p class="key" data-testid="backup-key-warning">Backups are encrypted with a key that comes from this node's 12-word recovery phrase. With the
        phrase and a backup, the node can be restored on any machine. <strong>Without the phrase, nobody — PC2 included — can read a backup.</strong>
        Keep the phrase somewhere safe and apart from the backup disk.</p>
      ${this.note ? html`<p role=${this.note.error ? "alert" : "status"} class=${this.note.error ? "error" : "muted"}>${this.note.text}</p>` : nothing}
      <form aria-label="Back up" @submit=${(e: SubmitEvent) => this.run(e)}>
        <label>Folder on the node's machine (a USB disk, a NAS mount)
          <input name="folder" required placeholder="/media/usb" autocomplete="off" spellcheck="false" .value=${s?.folder ?? ""} />
        </label>
        <button class="primary" ?disabled=${this.busy || s?.running}>Back up now</button>
      </form>
      <p data-testid="backup-last">${
        good
          ? `Last good backup: ${new Date(good.at).toLocaleString()} into ${good.folder} — ${good.objects} objects, ${formatSize(good.bytes)}; ${good.setsKept} backup set${good.setsKept === 1 ? "" : "s"} kept.`
          : "No backup yet."
      }</p>
      ${last && !last.ok ? html`<p class="error" role="alert">The last backup, ${new Date(last.at).toLocaleString()}, failed: ${last.error}</p>` : nothing}
      ${stale && last?.ok ? html`<p class="error" role="alert">The last good backup is more than a day old.</p>` : nothing}
      ${s?.nextAt ? html`<p class="muted">Next automatic backup: ${new Date(s.nextAt).toLocaleString()} (every day while a folder is chosen).</p>` : nothing}
      <p class="muted">Each backup adds only what changed. Kept: the newest backup of each of the last 7 days, 4 weeks and 6 months.
        To restore on a new machine: <code>pc2 backup restore &lt;folder&gt;</code> and the 12 words.</p>`;
  }
}

customElements.define("pc2-backup-settings", Pc2BackupSettings);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-backup-settings": Pc2BackupSettings;
  }
}
