// <pc2-file-explorer>: browse, create, rename, delete/restore, upload with progress, live updates.
import { LitElement, css, html, nothing } from "lit";
import { ApiError, api } from "../../api/rest-client.ts";
import { ContextConsumer } from "@lit/context";
import { connectionContext } from "../../state/contexts.ts";
import { watchFileChanges } from "../../state/file-events.ts";
import { icons } from "../../ui/icons.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";
import { uploadFile, type UploadItem } from "./upload-queue.ts";
import * as actions from "./file-actions.ts";
import "./pc2-context-menu.ts";
import type { MenuItem } from "./pc2-context-menu.ts";

export interface Entry {
  uid: string;
  type: string | null;
  cid: string | null;
  name: string;
  path: string;
  is_dir: boolean;
  is_public: boolean;
  size: number | null;
  modified: number;
  created: number;
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
    chosen: { state: true },
    view: { state: true },
    menu: { state: true },
    details: { state: true },
  };
  /** Multi-selection (uids); `selected` is the focused row. */
  chosen = new Set<string>();
  view: "list" | "grid" = "list";
  menu: { x: number; y: number; entry: Entry } | null = null;
  details: Entry | null = null;
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
  private readonly connection = new ContextConsumer(this, { context: connectionContext });
  private stopWatching: (() => void) | null = null;

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
      .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(7.5rem, 1fr)); gap: 0.5rem; padding: 0.6rem; }
      .tile { display: grid; justify-items: center; gap: 0.3rem; padding: 0.5rem; border-radius: 8px; border: 1px solid transparent; text-align: center; font-size: 0.85rem; overflow-wrap: anywhere; }
      .tile[aria-selected="true"] { background: rgba(91, 140, 255, 0.18); border-color: var(--pc2-accent); }
      .tile .thumb { width: 64px; height: 64px; display: grid; place-items: center; }
      .tile .thumb img { max-width: 64px; max-height: 64px; border-radius: 4px; }
      tr.drop-target td, .tile.drop-target { outline: 2px solid var(--pc2-accent); outline-offset: -2px; }
      .details { border-top: 1px solid var(--pc2-border); padding: 0.6rem; font-size: 0.85rem; display: grid; grid-template-columns: max-content 1fr auto; gap: 0.25rem 0.8rem; }
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
    this.stopWatching?.();
    for (const u of this.uploads) if (u.state === "uploading") u.cancel();
  }

  /** Live updates: any change to this wallet's files refreshes the folder shown (debounced). */
  private async listen(): Promise<void> {
    const connection = this.connection.value;
    if (connection) this.stopWatching = await watchFileChanges(connection, () => void this.load(false));
  }

  private toast(text: string, kind: "info" | "error" = "info"): void {
    this.dispatchEvent(new CustomEvent("toast", { detail: { text, kind }, bubbles: true, composed: true }));
  }

  /** Click selects one; Ctrl/Cmd toggles; Shift extends from the focused row. */
  private choose(e: Entry, ev: MouseEvent): void {
    const next = new Set(ev.ctrlKey || ev.metaKey ? this.chosen : []);
    if (ev.shiftKey && this.selected) {
      const a = this.entries.findIndex((x) => x.uid === this.selected);
      const b = this.entries.findIndex((x) => x.uid === e.uid);
      for (const x of this.entries.slice(Math.min(a, b), Math.max(a, b) + 1)) next.add(x.uid);
    } else if ((ev.ctrlKey || ev.metaKey) && next.has(e.uid)) next.delete(e.uid);
    else next.add(e.uid);
    this.chosen = next;
    this.selected = e.uid;
  }

  private get chosenEntries(): Entry[] {
    return this.entries.filter((e) => this.chosen.has(e.uid));
  }

  private openMenu(e: Entry, ev: MouseEvent): void {
    ev.preventDefault();
    if (!this.chosen.has(e.uid)) this.chosen = new Set([e.uid]);
    this.selected = e.uid;
    this.menu = { x: ev.clientX, y: ev.clientY, entry: e };
  }

  private menuItems(e: Entry): MenuItem[] {
    if (this.inTrash)
      return [
        { id: "restore", label: "Restore" },
        { id: "delete", label: "Delete for good" },
      ];
    return [
      { id: "open", label: e.is_dir ? "Open" : "Open" },
      { id: "rename", label: "Rename" },
      { id: "download", label: e.is_dir ? "Download as zip" : "Download" },
      ...(e.is_dir ? [] : [{ id: "cid", label: "Copy CID" }, e.is_public ? { id: "unshare", label: "Stop sharing" } : { id: "share", label: "Share public link" }]),
      { id: "properties", label: "Properties" },
      { id: "delete", label: this.chosen.size > 1 ? `Delete ${this.chosen.size} items` : "Delete" },
    ];
  }

  private async onMenu(id: string): Promise<void> {
    const e = this.menu?.entry;
    this.menu = null;
    if (!e || !id) return;
    switch (id) {
      case "open":
        return this.open(e);
      case "rename":
        this.renaming = e.uid;
        return;
      case "download":
        return actions.download(e);
      case "cid":
        return void ((await actions.copyText(e.cid ?? "")) ? this.toast("CID copied") : this.toast(`CID: ${e.cid}`));
      case "share":
        return this.act(async () => {
          const url = await actions.share(e);
          this.toast((await actions.copyText(url)) ? "Public link copied" : `Public link: ${url}`);
        });
      case "unshare":
        return this.act(async () => (await actions.unshare(e), this.toast("No longer shared")));
      case "properties":
        this.details = e;
        return;
      case "restore":
        return this.act(() => actions.restore(e));
      case "delete":
        return this.act(() => actions.trash(this.chosenEntries.length ? this.chosenEntries : [e]));
    }
  }

  /** Rows are draggable onto folders: a move. */
  private dragStart(e: Entry, ev: DragEvent): void {
    if (!this.chosen.has(e.uid)) this.chosen = new Set([e.uid]);
    ev.dataTransfer?.setData("application/x-pc2-uids", [...this.chosen].join(","));
  }

  private async dropOnFolder(folder: Entry, ev: DragEvent): Promise<void> {
    const uids = ev.dataTransfer?.getData("application/x-pc2-uids");
    if (!uids || !folder.is_dir) return;
    ev.preventDefault();
    ev.stopPropagation();
    const moving = this.entries.filter((x) => uids.split(",").includes(x.uid));
    await this.act(() => actions.moveInto(moving, folder));
    this.toast(`Moved ${moving.length} item${moving.length > 1 ? "s" : ""} to ${folder.name}`);
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

  private commitRename(e: Entry, value: string): Promise<void> {
    this.renaming = null;
    if (!value || value === e.name) return Promise.resolve();
    return this.act(() => actions.rename(e, value));
  }

  private upload(files: FileList | File[]): void {
    for (const file of Array.from(files)) {
      const item = uploadFile(this.path, file, () => {
        this.uploads = [...this.uploads];
        if (item.state === "done") void this.load(false);
      });
      this.uploads = [...this.uploads, item];
    }
  }

  private onKey(e: KeyboardEvent): void {
    const i = this.entries.findIndex((x) => x.uid === this.selected);
    const current = this.entries[i];
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      const next = this.entries[Math.min(this.entries.length - 1, Math.max(0, i + (e.key === "ArrowDown" ? 1 : -1)))];
      if (next) (this.selected = next.uid), (this.chosen = new Set([next.uid]));
    } else if (e.key === "Enter" && current) this.open(current);
    else if (e.key === "Delete" && current) void this.act(() => actions.trash(this.chosenEntries.length ? this.chosenEntries : [current]));
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
    return html`<tr aria-selected=${String(this.chosen.has(e.uid))} data-name=${trashName} draggable=${String(!this.inTrash)}
      @click=${(ev: MouseEvent) => this.choose(e, ev)} @dblclick=${() => this.open(e)} @contextmenu=${(ev: MouseEvent) => this.openMenu(e, ev)}
      @dragstart=${(ev: DragEvent) => this.dragStart(e, ev)} @dragover=${(ev: DragEvent) => e.is_dir && ev.dataTransfer?.types.includes("application/x-pc2-uids") && ev.preventDefault()}
      @drop=${(ev: DragEvent) => this.dropOnFolder(e, ev)}>
      <td class="name"><div class="cell"><span class="glyph">${e.is_dir ? icons.folder : icons.file}</span>
        ${
          renaming
            ? html`<input aria-label="New name" .value=${e.name} @keydown=${(ev: KeyboardEvent) => {
                ev.stopPropagation();
                if (ev.key === "Enter") void this.commitRename(e, (ev.target as HTMLInputElement).value.trim());
                if (ev.key === "Escape") this.renaming = null;
              }} @blur=${(ev: FocusEvent) => this.commitRename(e, (ev.target as HTMLInputElement).value.trim())} />`
            : html`<span>${trashName}</span>`
        }
      </div></td>
      <td class="size">${e.is_dir ? "Folder" : formatSize(e.size)}</td>
      <td class="modified">${new Date(e.modified * 1000).toLocaleString()}</td>
      <td class="actions">
        ${
          this.inTrash
            ? html`<button @click=${() => this.act(() => actions.restore(e))}>Restore</button>`
            : html`<button aria-label=${`Rename ${e.name}`} @click=${() => (this.renaming = e.uid)}>Rename</button>
              <button aria-label=${`Delete ${e.name}`} @click=${() => this.act(() => actions.trash([e]))}>Delete</button>`
        }
      </td>
    </tr>`;
  }

  private renderTile(e: Entry) {
    const name = this.inTrash && e.metadata ? (JSON.parse(e.metadata).original_name as string) : e.name;
    const image = !e.is_dir && (e.type ?? "").startsWith("image/") && !(e.type ?? "").includes("svg") && e.cid;
    return html`<div class="tile" role="gridcell" tabindex="-1" aria-selected=${String(this.chosen.has(e.uid))} data-name=${name} draggable=${String(!this.inTrash)}
      @click=${(ev: MouseEvent) => this.choose(e, ev)} @dblclick=${() => this.open(e)} @contextmenu=${(ev: MouseEvent) => this.openMenu(e, ev)}
      @dragstart=${(ev: DragEvent) => this.dragStart(e, ev)} @dragover=${(ev: DragEvent) => e.is_dir && ev.preventDefault()} @drop=${(ev: DragEvent) => this.dropOnFolder(e, ev)}>
      <span class="thumb">${image ? html`<img loading="lazy" alt="" src=${`/ipfs/${e.cid}`} />` : html`<span class="glyph" style="width:48px;height:48px">${e.is_dir ? icons.folder : icons.file}</span>`}</span>
      <span>${name}</span>
    </div>`;
  }

  private renderDetails(e: Entry) {
    return html`<div class="details" role="region" aria-label="Properties">
      <span class="muted">Name</span><span>${e.name}</span><button aria-label="Close properties" @click=${() => (this.details = null)}>×</button>
      <span class="muted">Size</span><span>${e.is_dir ? "Folder" : `${formatSize(e.size)} (${e.size} bytes)`}</span><span></span>
      <span class="muted">CID</span><span class="mono" data-testid="cid">${e.cid ?? "—"}</span><span></span>
      <span class="muted">Created</span><span>${new Date(e.created * 1000).toLocaleString()}</span><span></span>
      <span class="muted">Modified</span><span>${new Date(e.modified * 1000).toLocaleString()}</span><span></span>
      <span class="muted">Shared</span><span>${e.is_public ? "Yes, public link" : "No"}</span><span></span>
    </div>`;
  }

  override render() {
    const parts = this.path.split("/");
    return html`
      <div class="bar">
        <nav class="crumbs" aria-label="Folder path">
          ${parts.map((p, i) => html`${i ? html`<span class="muted">/</span>` : nothing}<button @click=${() => this.go(parts.slice(0, i + 1).join("/"))}>${i === 0 ? "Home" : p}</button>`)}
        </nav>
        <button aria-pressed=${String(this.view === "grid")} @click=${() => (this.view = this.view === "list" ? "grid" : "list")}>${this.view === "list" ? "Grid" : "List"} view</button>
        ${this.inTrash ? nothing : html`<button @click=${() => this.newFolder()}>New folder</button>`}
        <label><button @click=${() => (this.renderRoot.querySelector("#picker") as HTMLInputElement).click()} ?hidden=${this.inTrash}>Upload</button></label>
        <input id="picker" type="file" multiple hidden @change=${(e: Event) => this.upload((e.target as HTMLInputElement).files ?? [])} />
      </div>
      <div class="list ${this.dragging ? "dragging" : ""}" tabindex="0" role="grid" aria-label="Files" @keydown=${this.onKey}
        @dragover=${(e: DragEvent) => (e.preventDefault(), (this.dragging = true))} @dragleave=${() => (this.dragging = false)}
        @drop=${(e: DragEvent) => (e.preventDefault(), (this.dragging = false), this.upload(e.dataTransfer?.files ?? []))}>
        ${
          this.status === "loading"
            ? html`<p class="state muted" aria-busy="true">Loading…</p>`
            : this.status === "error"
              ? html`<p class="state error" role="alert">${this.error} <button @click=${() => this.load()}>Retry</button></p>`
              : this.entries.length === 0
                ? html`<p class="empty muted">${this.inTrash ? "The Trash is empty." : "This folder is empty. Drop files here to upload them."}</p>`
                : this.view === "grid"
                  ? html`<div class="grid" role="grid" aria-label="Files as icons">${this.entries.map((e) => this.renderTile(e))}</div>`
                  : html`<table>
                  <thead><tr>
                    <th><button @click=${() => ((this.sort = "name"), this.load(false))}>Name</button></th>
                    <th class="size"><button @click=${() => ((this.sort = "size"), this.load(false))}>Size</button></th>
                    <th class="modified"><button @click=${() => ((this.sort = "modified"), this.load(false))}>Modified</button></th>
                    <th><span class="muted">Actions</span></th>
                  </tr></thead>
                  <tbody>${this.entries.map((e) => this.renderRow(e))}</tbody>
                </table>`
        }
      </div>
      ${
        this.uploads.length
          ? html`<div class="uploads" aria-label="Uploads">
            ${this.uploads.map(
              (u) => html`<div class="upload" data-upload=${u.name} data-state=${u.state}>
              <span>${u.name} <span class="muted">${u.state === "failed" ? u.error : u.state}</span></span>
              <progress max=${u.size || 1} value=${u.loaded} aria-label=${`Upload of ${u.name}`}></progress>
              ${u.state === "uploading" ? html`<button @click=${() => u.cancel()}>Cancel</button>` : html`<span></span>`}
            </div>`,
            )}
          </div>`
          : nothing
      }
      ${this.details ? this.renderDetails(this.details) : nothing}
      ${
        this.menu
          ? html`<div style="position:fixed;inset:0;z-index:199999" @click=${() => (this.menu = null)} @contextmenu=${(ev: Event) => (ev.preventDefault(), (this.menu = null))}></div>
            <pc2-context-menu .items=${this.menuItems(this.menu.entry)} .x=${this.menu.x} .y=${this.menu.y} @menu-pick=${(ev: CustomEvent<string>) => this.onMenu(ev.detail)}></pc2-context-menu>`
          : nothing
      }
    `;
  }
}

customElements.define("pc2-file-explorer", Pc2FileExplorer);
