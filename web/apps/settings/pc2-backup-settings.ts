// <pc2-backup-settings>: the Owner's Backups tab. Says plainly, before the first backup, that the
// 12-word phrase is the only key; takes a destination — a folder on the node's machine (a USB disk,
// a NAS mount) or a friend's PC2 node by its Node ID — backs up now, and shows the last result (and
// warns when the last good one is more than a day old). Below it, the friends' nodes this node keeps
// backups for (<pc2-backup-guests>).
import { LitElement, css, html, nothing } from "lit";
import type { BackupRecord, BackupStatus, BackupTarget } from "../../../server/services/backup/backup.service.ts";
import "./pc2-backup-guests.ts";
import "./pc2-backup-restore.ts";
import { api } from "../../api/rest-client.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";
import { formatSize } from "../files/entry.ts";

const DAY_MS = 86_400_000;

export class Pc2BackupSettings extends LitElement {
  static override properties = { status: { state: true }, busy: { state: true }, note: { state: true }, kind: { state: true } };
  status: BackupStatus | null = null;
  busy = false;
  /** Which destination the form shows: the chosen one's kind until the Owner switches. */
  kind: BackupTarget["kind"] | null = null;
  note: { text: string; error: boolean } | null = null;

  static override styles = [
    sharedStyles,
    css`
      form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; margin: 0.75rem 0; }
      label { display: grid; gap: 0.25rem; font-size: 0.85rem; }
      input[name="folder"], input[name="nodeId"] { min-width: min(24rem, 70vw); }
      fieldset { border: 0; padding: 0; margin: 0; display: flex; gap: 1rem; }
      legend { font-size: 0.85rem; margin-bottom: 0.25rem; }
      .key { border-left: 3px solid var(--pc2-bad, var(--pc2-bad)); padding-left: 0.75rem; }
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
    const form = new FormData(e.target as HTMLFormElement);
    const kind = this.currentKind();
    const value = String(form.get(kind === "folder" ? "folder" : "nodeId") ?? "").trim();
    const destination: BackupTarget = kind === "folder" ? { kind, folder: value } : { kind, nodeId: value };
    this.busy = true;
    this.note = { text: kind === "folder" ? "Backing up…" : "Finding the friend's node and backing up…", error: false };
    try {
      const record = await api.post<BackupRecord>("/api/backup/run", kind === "folder" ? { folder: value } : { nodeId: value });
      this.status = { destination, running: false, last: record, lastGood: record.ok ? record : (this.status?.lastGood ?? null), nextAt: this.status?.nextAt ?? null };
      this.note = record.ok
        ? { text: `Backed up: ${record.objects} objects, ${formatSize(record.bytes)} (${formatSize(record.bytesWritten)} new).`, error: false }
        : { text: `The backup failed: ${record.error}`, error: true };
    } catch (err) {
      this.note = { text: (err as Error).message, error: true };
    } finally {
      this.busy = false;
    }
  }

  private currentKind(): BackupTarget["kind"] {
    return this.kind ?? this.status?.destination?.kind ?? "folder";
  }

  override render() {
    const s = this.status;
    const kind = this.currentKind();
    const chosen = s?.destination ?? null;
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
        <fieldset>
          <legend>Back up to</legend>
          <label><input type="radio" name="kind" value="folder" .checked=${kind === "folder"} @change=${() => (this.kind = "folder")} /> A folder on this machine</label>
          <label><input type="radio" name="kind" value="node" .checked=${kind === "node"} @change=${() => (this.kind = "node")} /> A friend's PC2 node</label>
        </fieldset>
        ${
          kind === "folder"
            ? html`<label>Folder on the node's machine (a USB disk, a NAS mount)
                <input name="folder" required placeholder="/media/usb" autocomplete="off" spellcheck="false" .value=${chosen?.kind === "folder" ? chosen.folder : ""} />
              </label>`
            : html`<label>The friend's Node ID (they add this node's ID under "Keep a friend's backups" first)
                <input name="nodeId" required placeholder="Node ID" autocomplete="off" spellcheck="false" .value=${chosen?.kind === "node" ? chosen.nodeId : ""} />
              </label>`
        }
        <button class="primary" ?disabled=${this.busy || s?.running}>Back up now</button>
      </form>
      <p>
        <a class="button" href="/api/backup/download" download data-testid="backup-download">Download a backup</a>
        <span class="muted">— the whole node as one encrypted archive (.tar), written as it downloads. Restore it with
          <code>pc2 backup restore &lt;file.tar&gt;</code> and the 12 words.</span>
      </p>
      <p data-testid="backup-last">${
        good
          ? `Last good backup: ${new Date(good.at).toLocaleString()} to ${good.destination} — ${good.objects} objects, ${formatSize(good.bytes)}; ${good.setsKept} backup set${good.setsKept === 1 ? "" : "s"} kept.`
          : "No backup yet."
      }</p>
      ${last && !last.ok ? html`<p class="error" role="alert">The last backup, ${new Date(last.at).toLocaleString()}, failed: ${last.error}</p>` : nothing}
      ${stale && last?.ok ? html`<p class="error" role="alert">The last good backup is more than a day old.</p>` : nothing}
      ${s?.nextAt ? html`<p class="muted">Next automatic backup: ${new Date(s.nextAt).toLocaleString()} (every day while a destination is chosen).</p>` : nothing}
      <p class="muted">Each backup adds only what changed. Kept: the newest backup of each of the last 7 days, 4 weeks and 6 months.
        The friend's node stores them encrypted and can read none of them. To restore on a new machine:
        <code>pc2 backup restore &lt;folder&gt;</code> or <code>pc2 backup restore node:&lt;friend's Node ID&gt;</code>, and the 12 words.</p>
      <pc2-backup-restore></pc2-backup-restore>
      <pc2-backup-guests></pc2-backup-guests>`;
  }
}

customElements.define("pc2-backup-settings", Pc2BackupSettings);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-backup-settings": Pc2BackupSettings;
  }
}
