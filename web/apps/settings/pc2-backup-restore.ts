// <pc2-backup-restore>: "Restore files" in Settings › Backups. The Owner picks a backup set at the
// chosen destination, walks their folders as they were then, ticks files and folders, and brings
// them back into a new "Restored <time>" folder (what is there now is never overwritten).
import { LitElement, css, html, nothing } from "lit";
import type { BackupEntry } from "../../../server/services/backup/backup-browser.ts";
import { api } from "../../api/rest-client.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";
import { formatSize } from "../files/entry.ts";

interface SetInfo {
  name: string;
  at: string;
}

export class Pc2BackupRestore extends LitElement {
  static override properties = { sets: { state: true }, set: { state: true }, path: { state: true }, entries: { state: true }, chosen: { state: true }, note: { state: true }, busy: { state: true } };
  sets: SetInfo[] | null = null;
  set = "";
  path = "~";
  entries: BackupEntry[] = [];
  chosen = new Set<string>();
  note: { text: string; error: boolean } | null = null;
  busy = false;

  static override styles = [
    sharedStyles,
    css`
      .bar { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin: 0.5rem 0; }
      ul { list-style: none; padding: 0; margin: 0.5rem 0; max-height: 16rem; overflow: auto; border: 1px solid var(--pc2-border); border-radius: 8px; }
      li { display: flex; gap: 0.5rem; align-items: center; padding: 0.3rem 0.6rem; }
      li + li { border-top: 1px solid var(--pc2-border); }
      .name { flex: 1; min-width: 0; overflow-wrap: anywhere; }
      .link { background: none; border: 0; padding: 0; color: var(--pc2-accent); text-decoration: underline; cursor: pointer; }
    `,
  ];

  private fail(err: unknown): void {
    this.note = { text: (err as Error).message, error: true };
  }

  private async loadSets(): Promise<void> {
    this.busy = true;
    try {
      this.sets = (await api.get<{ sets: SetInfo[] }>("/api/backup/sets")).sets;
      this.note = this.sets.length ? null : { text: "There is no backup set at the chosen destination yet.", error: false };
      if (this.sets[0]) await this.open(this.sets[0].name, "~");
    } catch (err) {
      this.fail(err);
    } finally {
      this.busy = false;
    }
  }

  private async open(set: string, path: string): Promise<void> {
    try {
      const listing = await api.get<{ path: string; entries: BackupEntry[] }>(`/api/backup/sets/${set}/files?path=${encodeURIComponent(path)}`);
      this.set = set;
      this.path = listing.path;
      this.entries = listing.entries;
      this.chosen = new Set();
    } catch (err) {
      this.fail(err);
    }
  }

  private up(): void {
    const parent = this.path.replace(/\/[^/]+$/, "");
    void this.open(this.set, parent.split("/").length < 2 ? "~" : parent);
  }

  private toggle(path: string, on: boolean): void {
    const next = new Set(this.chosen);
    if (on) next.add(path);
    else next.delete(path);
    this.chosen = next;
  }

  private async restore(): Promise<void> {
    this.busy = true;
    this.note = { text: "Restoring…", error: false };
    try {
      const done = await api.post<{ folder: string; files: number; folders: number; bytes: number }>(`/api/backup/sets/${this.set}/restore`, { paths: [...this.chosen] });
      this.note = { text: `Restored ${done.files} file${done.files === 1 ? "" : "s"} (${formatSize(done.bytes)}) into ${done.folder.replace(/^\/0x[0-9a-f]{40}/, "~")}.`, error: false };
      this.chosen = new Set();
    } catch (err) {
      this.fail(err);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const atRoot = /^\/0x[0-9a-f]{40}$/.test(this.path) || this.path === "~";
    return html`<h3>Restore files</h3>
      <p class="muted">Bring back single files or folders as they were in a backup. They go into a new folder, "Restored &lt;time&gt;", in your home folder: nothing you have now is replaced.</p>
      ${this.note ? html`<p role=${this.note.error ? "alert" : "status"} class=${this.note.error ? "error" : "muted"}>${this.note.text}</p>` : nothing}
      ${
        this.sets === null
          ? html`<button @click=${() => this.loadSets()} ?disabled=${this.busy}>Browse backups</button>`
          : this.sets.length
            ? html`<div class="bar">
                  <label>Backup of
                    <select aria-label="Backup set" @change=${(e: Event) => this.open((e.target as HTMLSelectElement).value, "~")}>
                      ${this.sets.map((s) => html`<option value=${s.name} ?selected=${s.name === this.set}>${new Date(s.at).toLocaleString()}</option>`)}
                    </select>
                  </label>
                  <button @click=${() => this.up()} ?disabled=${atRoot} aria-label="Up one folder">Up</button>
                  <code>${this.path.replace(/^\/0x[0-9a-f]{40}/, "~")}</code>
                </div>
                <ul aria-label="Files in this backup">
                  ${this.entries.length ? nothing : html`<li class="muted">This folder was empty.</li>`}
                  ${this.entries.map(
                    (e) => html`<li>
                      <input type="checkbox" aria-label=${`Choose ${e.name}`} .checked=${this.chosen.has(e.path)} @change=${(ev: Event) => this.toggle(e.path, (ev.target as HTMLInputElement).checked)} />
                      ${e.isDir ? html`<button class="link name" @click=${() => this.open(this.set, e.path)}>${e.name}/</button>` : html`<span class="name">${e.name}</span>`}
                      <span class="muted">${e.isDir ? "folder" : formatSize(e.size)}</span>
                    </li>`,
                  )}
                </ul>
                <button class="primary" ?disabled=${this.busy || this.chosen.size === 0} @click=${() => this.restore()}>Restore ${this.chosen.size || ""} selected</button>`
            : nothing
      }`;
  }
}

customElements.define("pc2-backup-restore", Pc2BackupRestore);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-backup-restore": Pc2BackupRestore;
  }
}
