// <pc2-file-explorer>: browse, create, rename, delete/restore, upload with progress, live updates.
import { LitElement, css, html, nothing } from "lit";
import { ApiError, api } from "../../api/rest-client.ts";
import { Pc2WsClient } from "../../api/ws-client.ts";
import { icons } from "../../ui/icons.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";
import { uploadFile, type UploadItem } from "./upload-queue.ts";

export interface Entry {
  uid: string;
  type: string | null;
  cid: string | null;
  name: string;
  path: string;
  is_dir: boolean;
  size: number | null;
  modified: number;
  metadata: string | null;
}

type Sort = "name" | "size" | "modified";

function formatSize(n: number | null): string {
  if (n === null) return "—";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${v < 10 && i ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export class Pc2FileExplorer extends LitElement {
  static override properties = {
    path: { state: true },
    entries: { state: true },
    status: { state: true },
    error: { state: true },
    selected: { state: true },
    sort: { state: true },
    uploads: { state: true },
    renaming: { state: true },
    dragging: { state: true },
  };
  /** The folder shown, as a "~/…" path. */
  path = "~";
  entries: Entry[] = [];
  status: "loading" | "ready" | "error" = "loading";
  error = "";
  selected: string | null = null;
  sort: Sort = "name";
  uploads: UploadItem[] = [];
  renaming: string | null = null;
  dragging = false;
  private socket: Pc2WsClient | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;

  static override styles = [
    sharedStyles,
    css`
      :host { display: flex; flex-direction: column; height: 100%; }
      .bar { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; padding: 0.5rem; border-bottom: 1px solid var(--pc2-border); }
      .crumbs { display: flex; flex-wrap: wrap; gap: 0.2rem; flex: 1; min-width: 0; }
      .crumbs button { background: none; border: none; padding: 0.2rem 0.35rem; }
      .list { flex: 1; overflow: auto; outline: none; }
      :host([dragging]) .list, .list.dragging { background: rgba(91, 140, 255, 0.08); outline: 2px dashed var(--pc2-accent); outline-offset: -6px; }
      table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
      th { text-align: left; font-weight: 600; color: var(--pc2-muted); padding: 0.35rem 0.6rem; position: sticky; top: 0; background: var(--pc2-card); }
      th button { background: none; border: none; padding: 0; color: inherit; font-weight: 600; }
      td { padding: 0.35rem 0.6rem; border-top: 1px solid rgba(255, 255, 255, 0.04); white-space: nowrap; }
      tr[aria-selected="true"] td { background: rgba(91, 140, 255, 0.18); }
      td .cell { display: flex; gap: 0.5rem; align-items: center; max-width: 26rem; overflow: hidden; text-overflow: ellipsis; }
      td.actions { text-align: right; }
      td.actions button { padding: 0.3rem 0.6rem; }
      .glyph { width: 18px; height: 18px; flex: none; }
      .empty, .state { padding: 2rem; text-align: center; }
      .uploads { border-top: 1px solid var(--pc2-border); padding: 0.4rem 0.6rem; display: grid; gap: 0.3rem; max-height: 9rem; overflow: auto; }
      .upload { display: grid; grid-template-columns: 1fr auto auto; gap: 0.5rem; align-items: center; font-size: 0.85rem; }
      progress { width: 8rem; }
      @media (max-width: 600px) {
        td.modified, th.modified, td.size, th.size { display: none; }
        td.actions { white-space: normal; }
        td .cell { max-width: 11rem; }
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    void this.listen();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.socket?.close();
    for (const u of this.uploads) if (u.state === "uploading") u.cancel();
  }

  /** Live updates: any change to this wallet's files refreshes the folder shown (debounced). */
  private async listen(): Promise<void> {
    try {
      this.socket = await Pc2WsClient.connect(Pc2WsClient.urlFor(location.origin));
      await this.socket.subscribe(["files"]);
      for (const e of ["item.added", "item.removed", "item.moved", "item.updated", "item.renamed"]) this.socket.on(e, () => this.scheduleRefresh());
    } catch {
      /* live updates are a nicety: the explorer still works without them */
    }
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.load(false), 80);
  }

  private get inTrash(): boolean {
    return this.path === "~/Trash";
  }

  async load(showSpinner = true): Promise<void> {
    if (showSpinner) this.status = "loading";
    try {
      this.entries = await api.post<Entry[]>("/readdir", { path: this.path, sort_by: this.sort, sort_order: this.sort === "name" ? "asc" : "desc" });
      this.status = "ready";
    } catch (err) {
      this.status = "error";
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  private go(path: string): void {
    this.path = path;
    this.selected = null;
    void this.load();
  }

  private async act(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
      await this.load(false);
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
      this.status = "error";
    }
  }

  private newFolder(): Promise<void> {
    return this.act(() => api.post("/mkdir", { parent: this.path, path: "New folder", dedupe_name: true }));
  }

  private trashEntry(e: Entry): Promise<void> {
    return this.act(() => api.post("/delete", { paths: [e.uid] }));
  }

  private restore(e: Entry): Promise<void> {
    return this.act(() => api.post("/api/files/trash/restore", { uid: e.uid }));
  }

  private commitRename(e: Entry, value: string): Promise<void> {
    this.renaming = null;
    if (!value || value === e.name) return Promise.resolve();
    return this.act(() => api.post("/rename", { uid: e.uid, new_name: value }));
  }

  private upload(files: FileList | File[]): void {
    for (const file of Array.from(files)) {
      const item = uploadFile(this.path, file, () => {
        this.uploads = [...this.uploads];
        if (item.state === "done") this.scheduleRefresh();
      });
      this.uploads = [...this.uploads, item];
    }
  }

  private onKey(e: KeyboardEvent): void {
    const i = this.entries.findIndex((x) => x.uid === this.selected);
    const current = this.entries[i];
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      const next = this.entries[Math.min(this.entries.length - 1, Math.max(0, i + (e.key === "ArrowDown" ? 1 : -1)))];
      if (next) this.selected = next.uid;
    } else if (e.key === "Enter" && current) this.open(current);
    else if (e.key === "Delete" && current) void this.trashEntry(current);
    else if (e.key === "F2" && current) this.renaming = current.uid;
    else if (e.key === "Backspace" && this.path !== "~") this.go(this.path.slice(0, this.path.lastIndexOf("/")) || "~");
    else return;
    e.preventDefault();
  }

  /** Folders open here; files open in the app for their type (the desktop decides). */
  private open(e: Entry): void {
    if (e.is_dir) return this.go(`${this.path}/${e.name}`);
    if (this.inTrash) return;
    this.dispatchEvent(new CustomEvent("open-file", { detail: e, bubbles: true, composed: true }));
  }

  private renderRow(e: Entry) {
    const renaming = this.renaming === e.uid;
    const trashName = this.inTrash && e.metadata ? (JSON.parse(e.metadata).original_name as string) : e.name;
    return html`<tr aria-selected=${String(this.selected === e.uid)} data-name=${trashName} @click=${() => (this.selected = e.uid)} @dblclick=${() => this.open(e)}>
      <td class="name"><div class="cell"><span class="glyph">${e.is_dir ? icons.folder : icons.file}</span>
        ${renaming
          ? html`<input aria-label="New name" .value=${e.name} @keydown=${(ev: KeyboardEvent) => {
              ev.stopPropagation();
              if (ev.key === "Enter") void this.commitRename(e, (ev.target as HTMLInputElement).value.trim());
              if (ev.key === "Escape") this.renaming = null;
            }} @blur=${(ev: FocusEvent) => this.commitRename(e, (ev.target as HTMLInputElement).value.trim())} />`
          : html`<span>${trashName}</span>`}
      </div></td>
      <td class="size">${e.is_dir ? "Folder" : formatSize(e.size)}</td>
      <td class="modified">${new Date(e.modified * 1000).toLocaleString()}</td>
      <td class="actions">
        ${this.inTrash
          ? html`<button @click=${() => this.restore(e)}>Restore</button>`
          : html`<button aria-label=${`Rename ${e.name}`} @click=${() => (this.renaming = e.uid)}>Rename</button>
              <button aria-label=${`Delete ${e.name}`} @click=${() => this.trashEntry(e)}>Delete</button>`}
      </td>
    </tr>`;
  }

  override render() {
    const parts = this.path.split("/");
    return html`
      <div class="bar">
        <nav class="crumbs" aria-label="Folder path">
          ${parts.map((p, i) => html`${i ? html`<span class="muted">/</span>` : nothing}<button @click=${() => this.go(parts.slice(0, i + 1).join("/"))}>${i === 0 ? "Home" : p}</button>`)}
        </nav>
        ${this.inTrash ? nothing : html`<button @click=${() => this.newFolder()}>New folder</button>`}
        <label><button @click=${() => (this.renderRoot.querySelector("#picker") as HTMLInputElement).click()} ?hidden=${this.inTrash}>Upload</button></label>
        <input id="picker" type="file" multiple hidden @change=${(e: Event) => this.upload((e.target as HTMLInputElement).files ?? [])} />
      </div>
      <div class="list ${this.dragging ? "dragging" : ""}" tabindex="0" role="grid" aria-label="Files" @keydown=${this.onKey}
        @dragover=${(e: DragEvent) => (e.preventDefault(), (this.dragging = true))} @dragleave=${() => (this.dragging = false)}
        @drop=${(e: DragEvent) => (e.preventDefault(), (this.dragging = false), this.upload(e.dataTransfer?.files ?? []))}>
        ${this.status === "loading"
          ? html`<p class="state muted" aria-busy="true">Loading…</p>`
          : this.status === "error"
            ? html`<p class="state error" role="alert">${this.error} <button @click=${() => this.load()}>Retry</button></p>`
            : this.entries.length === 0
              ? html`<p class="empty muted">${this.inTrash ? "The Trash is empty." : "This folder is empty. Drop files here to upload them."}</p>`
              : html`<table>
                  <thead><tr>
                    <th><button @click=${() => ((this.sort = "name"), this.load(false))}>Name</button></th>
                    <th class="size"><button @click=${() => ((this.sort = "size"), this.load(false))}>Size</button></th>
                    <th class="modified"><button @click=${() => ((this.sort = "modified"), this.load(false))}>Modified</button></th>
                    <th><span class="muted">Actions</span></th>
                  </tr></thead>
                  <tbody>${this.entries.map((e) => this.renderRow(e))}</tbody>
                </table>`}
      </div>
      ${this.uploads.length
        ? html`<div class="uploads" aria-label="Uploads">
            ${this.uploads.map((u) => html`<div class="upload" data-upload=${u.name} data-state=${u.state}>
              <span>${u.name} <span class="muted">${u.state === "failed" ? u.error : u.state}</span></span>
              <progress max=${u.size || 1} value=${u.loaded} aria-label=${`Upload of ${u.name}`}></progress>
              ${u.state === "uploading" ? html`<button @click=${() => u.cancel()}>Cancel</button>` : html`<span></span>`}
            </div>`)}
          </div>`
        : nothing}
    `;
  }
}

customElements.define("pc2-file-explorer", Pc2FileExplorer);
