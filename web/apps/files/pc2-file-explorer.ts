// <pc2-file-explorer>: browse, create, rename, delete/restore, upload with progress, live updates.
import { LitElement, html, nothing } from "lit";
import { ApiError, api } from "../../api/rest-client.ts";
import { ContextConsumer } from "@lit/context";
import { connectionContext } from "../../state/contexts.ts";
import { watchFileChanges } from "../../state/file-events.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";
import { uploadFile, type UploadItem } from "./upload-queue.ts";
import * as actions from "./file-actions.ts";
import "./pc2-context-menu.ts";
import { nextSelection, shownName, type StorageUse, storageLine, type Entry } from "./entry.ts";
import { fileRow, fileTile, type RowActions } from "./explorer-rows.ts";
import { keyIntent } from "./explorer-keys.ts";
import { menuFor, runMenuAction } from "./explorer-menu.ts";
import "./pc2-file-details.ts";
import "./pc2-share-dialog.ts";
import "./pc2-file-search.ts";
import type { FolderSort } from "./folder-pages.ts";
import { FolderListing } from "./folder-listing.ts";
import { ListWindow } from "./list-window.ts";
import "./pc2-place-dialog.ts";
import type { ShareLink } from "../../../server/services/files/share-links.ts";
import "./pc2-upload-list.ts";
import { explorerStyles } from "./pc2-file-explorer.styles.ts";
import type { MenuItem } from "./pc2-context-menu.ts";

export class Pc2FileExplorer extends LitElement {
  static override properties = {
    path: { state: true },
    selected: { state: true },
    sort: { state: true },
    uploads: { state: true },
    renaming: { state: true },
    dragging: { state: true },
    chosen: { state: true },
    view: { state: true },
    menu: { state: true },
    details: { state: true },
    sharing: { state: true },
    placing: { state: true },
    query: { state: true },
    usage: { state: true },
  };
  /** What the user's files take, their quota (null: none) and what is left. */
  usage: StorageUse | null = null;
  /** Only the rows in sight are drawn in a long folder. */
  private readonly listWindow = new ListWindow(this, () => ({ element: this.renderRoot?.querySelector<HTMLElement>(".list") ?? null, total: this.entries.length }));
  /** What the search box holds: while it is not empty, the matches show in the folder's place. */
  query = "";
  /** Move to… / Copy to…: the entries, waiting for the folder to be chosen. */
  placing: { how: "move" | "copy"; entries: Entry[] } | null = null;
  /** The share dialog: the entry shared and where it can be opened. */
  sharing: { entry: Entry; links: ShareLink[] } | null = null;
  /** Multi-selection (uids); `selected` is the focused row. */
  chosen = new Set<string>();
  view: "list" | "grid" = "list";
  menu: { x: number; y: number; entry: Entry } | null = null;
  details: Entry | null = null;
  /** The folder shown, as a "~/…" path. */
  path = "~";
  /** The folder's entries as last listed (or loading, or the error). */
  private readonly listing = new FolderListing(() => this.requestUpdate());
  get entries(): Entry[] {
    return this.listing.entries;
  }
  selected: string | null = null;
  sort: FolderSort = "name";
  uploads: UploadItem[] = [];
  renaming: string | null = null;
  /** The entry whose rename box has had its focus (see updated()). */
  private renameFocused: string | null = null;
  dragging = false;
  private readonly connection = new ContextConsumer(this, { context: connectionContext });
  /** Uploads finished since the last notice. */
  private readonly uploadedBatch: string[] = [];
  private stopWatching: (() => void) | null = null;

  static override styles = [sharedStyles, explorerStyles];

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

  private toast(text: string, kind: "info" | "error" = "info", action?: { label: string; run: () => unknown }): void {
    this.dispatchEvent(new CustomEvent("toast", { detail: { text, kind, action }, bubbles: true, composed: true }));
  }

  /** Click selects one; Ctrl/Cmd toggles; Shift extends from the focused row. A tap opens (as on a phone). */
  private choose(e: Entry, ev: MouseEvent): void {
    if ((ev.target as Element).closest("button, input")) return;
    this.chosen = nextSelection(this.entries, this.chosen, this.selected, e, ev);
    this.selected = e.uid;
    if ((ev as PointerEvent).pointerType === "touch" && !ev.shiftKey && !ev.ctrlKey && !ev.metaKey) this.open(e);
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

  /** The row's ⋯ button: its menu under the button (how a touch screen reaches Share, Move, Copy…). */
  private openMenuAt(e: Entry, button: HTMLElement): void {
    const box = button.getBoundingClientRect();
    this.chosen = new Set([e.uid]);
    this.selected = e.uid;
    this.menu = { x: box.right - 200, y: box.bottom, entry: e };
  }

  private menuItems(e: Entry): MenuItem[] {
    return menuFor(e, this.inTrash, this.chosen.size, this.isTrashFolder(e));
  }

  private async onMenu(id: string): Promise<void> {
    const e = this.menu?.entry;
    this.menu = null;
    // Back to the list (the keyboard user's place), unless the action opens something of its own.
    void this.updateComplete.then(() => {
      if (!this.renaming && !this.sharing && !this.placing) this.renderRoot.querySelector<HTMLElement>(".list")?.focus();
    });
    if (!e || !id) return;
    await runMenuAction(id, e, {
      open: (x) => this.open(x),
      rename: (x) => void (this.renaming = x.uid),
      showDetails: (x) => void (this.details = x),
      showShare: (x, links) => void (this.sharing = { entry: x, links }),
      chosen: () => this.chosenEntries,
      act: (fn) => this.act(fn),
      toast: (text, kind) => this.toast(text, kind),
      trash: (entries) => this.trash(entries),
      deleteForGood: (entries) => this.deleteForGood(entries),
      chooseFolderFor: (how, entries) => void (this.placing = { how, entries }),
    });
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

  get inTrash(): boolean {
    return this.path === "~/Trash";
  }

  /**
   * List the folder (see FolderListing: opening shows rows page by page, a refresh swaps the list
   * once) and the storage used. Resolves once the list holds everything done before the call.
   */
  load(showSpinner = true): Promise<void> {
    void api.get<StorageUse>("/api/files/quota").then(
      (u) => (this.usage = u),
      () => undefined,
    );
    return this.listing.load(this.path, this.sort, showSpinner);
  }

  private go(path: string): void {
    this.path = path;
    this.listWindow.reset();
    this.selected = null;
    void this.load();
  }

  private async act(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
      await this.load(false);
    } catch (err) {
      this.listing.fail(err instanceof ApiError ? err.message : String(err));
    }
  }

  /** A new folder starts with its name ready to type. */
  private async newFolder(): Promise<void> {
    let created: Entry | null = null;
    await this.act(async () => (created = await api.post<Entry>("/mkdir", { parent: this.path, path: "New folder", dedupe_name: true })));
    // The listing waited for holds the new folder (see FolderListing.load); in a long folder its row
    // is scrolled into sight and drawn a frame later.
    const uid = (created as Entry | null)?.uid;
    if (!uid) return;
    this.selected = uid;
    this.renaming = uid;
    this.listWindow.reveal(this.entries.findIndex((x) => x.uid === uid));
  }

  /**
   * The rename box takes focus with its name selected (F2, Rename, a new folder) once, when it first
   * appears — which may be a frame later than `renaming` was set, when its row is scrolled into a long
   * folder's drawn window.
   */
  override updated(): void {
    if (this.renaming === this.renameFocused) return;
    const input = this.renaming ? this.renderRoot.querySelector<HTMLInputElement>("input[aria-label='New name']") : null;
    if (this.renaming && !input) return;
    this.renameFocused = this.renaming;
    input?.focus();
    input?.select();
  }

  /** The Trash folder at Home is not an ordinary folder: it opens, and is emptied from inside. */
  isTrashFolder(e: Entry): boolean {
    return this.path === "~" && e.is_dir && e.name === "Trash";
  }

  /** Move to the Trash, with Undo in the notice. */
  private async trash(entries: Entry[]): Promise<void> {
    const moving = entries.filter((e) => !this.isTrashFolder(e));
    if (!moving.length) return;
    let done = false;
    await this.act(async () => {
      await actions.trash(moving);
      done = true;
    });
    if (!done) return;
    const what = moving.length === 1 ? moving[0]!.name : `${moving.length} items`;
    this.toast(`Moved ${what} to the Trash`, "info", { label: "Undo", run: () => this.act(() => actions.restoreAll(moving)) });
  }

  /** A search result opens where it is: a folder there, a file in its app. */
  private openResult(e: Entry): void {
    const search = this.renderRoot.querySelector<HTMLInputElement>("input[type=search]");
    if (search) search.value = "";
    this.query = "";
    if (e.is_dir) return this.go(e.path);
    this.dispatchEvent(new CustomEvent("open-file", { detail: e, bubbles: true, composed: true }));
  }

  /** Keyboard focus back on the list (after a dialog of the explorer's closes). */
  private focusList(): void {
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(".list")?.focus());
  }

  /** Deleting from the Trash cannot be undone: asked first. */
  private async deleteForGood(entries: Entry[]): Promise<void> {
    if (!entries.length) return;
    const what = entries.length === 1 ? `“${shownName(entries[0]!, true)}”` : `these ${entries.length} items`;
    if (!confirm(`Delete ${what} for good? This cannot be undone.`)) return;
    await this.act(() => actions.trash(entries));
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
        if (item.state === "failed") this.toast(`${item.name} was not uploaded: ${item.error}`, "error");
        if (item.state === "done") this.uploadedBatch.push(item.name);
        // One notice when a batch is through, not one per file.
        if (item.state !== "uploading" && this.uploadedBatch.length && !this.uploads.some((u) => u.state === "uploading")) {
          const names = this.uploadedBatch.splice(0);
          this.toast(names.length === 1 ? `Uploaded ${names[0]}` : `Uploaded ${names.length} files`);
        }
        if (item.state !== "done") return;
        void this.load(false);
        // A finished upload leaves the list after a moment; a failed one stays until dismissed.
        setTimeout(() => (this.uploads = this.uploads.filter((u) => u !== item)), 4000);
      });
      this.uploads = [...this.uploads, item];
    }
  }

  private onKey(e: KeyboardEvent): void {
    const intent = keyIntent(e, { entries: this.entries, focused: this.selected, chosen: this.chosenEntries, path: this.path, inTrash: this.inTrash, isTrashFolder: (x) => this.isTrashFolder(x) });
    if (!intent) return;
    e.preventDefault();
    if (intent.kind === "focus") {
      const next = this.entries[intent.index]!;
      (this.selected = next.uid), (this.chosen = new Set([next.uid])), this.listWindow.reveal(intent.index);
    } else if (intent.kind === "open") this.open(intent.entry);
    else if (intent.kind === "trash") void this.trash(intent.entries);
    else if (intent.kind === "delete-for-good") void this.deleteForGood(intent.entries);
    else if (intent.kind === "rename") this.renaming = intent.entry.uid;
    else if (intent.kind === "up") this.go(intent.path);
    else {
      // The menu from the keyboard, under the focused row.
      const row = this.renderRoot.querySelector<HTMLElement>(`tr[aria-selected="true"], .tile[aria-selected="true"]`);
      const box = row?.getBoundingClientRect();
      if (!this.chosen.has(intent.entry.uid)) this.chosen = new Set([intent.entry.uid]);
      this.menu = { x: (box?.left ?? 0) + 48, y: box?.bottom ?? 0, entry: intent.entry };
    }
  }

  /** What a row's or tile's controls do. */
  private readonly rowActions: RowActions = {
    choose: (e, ev) => this.choose(e, ev),
    open: (e) => this.open(e),
    openMenu: (e, ev) => this.openMenu(e, ev),
    openMenuAt: (e, button) => this.openMenuAt(e, button),
    dragStart: (e, ev) => this.dragStart(e, ev),
    drop: (e, ev) => void this.dropOnFolder(e, ev),
    startRename: (e) => void (this.renaming = e.uid),
    commitRename: (e, value) => void this.commitRename(e, value),
    cancelRename: () => void (this.renaming = null),
    trash: (e) => void this.trash([e]),
    restore: (e) => void this.act(() => actions.restore(e)),
    deleteForGood: (e) => void this.deleteForGood([e]),
  };

  /** Folders open here; files open in the app for their type (the desktop decides). */
  private open(e: Entry): void {
    if (e.is_dir) return this.go(`${this.path}/${e.name}`);
    if (this.inTrash) return;
    this.dispatchEvent(new CustomEvent("open-file", { detail: e, bubbles: true, composed: true }));
  }

  /**
   * The rows in sight, and a spacer for the rest: a folder of 10,000 entries keeps a few dozen rows
   * in the page and scrolls as smoothly as a small one. Small folders render every row.
   */
  private renderRows() {
    const all = this.entries;
    if (!this.listWindow.windowed) return all.map((e) => fileRow(e, this, this.rowActions));
    const h = this.listWindow.rowHeight;
    const { first, last } = this.listWindow.range();
    return html`<tr class="spacer" aria-hidden="true" style=${`height:${first * h}px`}></tr>
      ${all.slice(first, last).map((e, i) => fileRow(e, this, this.rowActions, first + i + 2))}
      <tr class="spacer" aria-hidden="true" style=${`height:${(all.length - last) * h}px`}></tr>`;
  }

  override render() {
    const parts = this.path.split("/");
    return html`
      <div class="bar">
        <nav class="crumbs" aria-label="Folder path">
          ${parts.map((p, i) => html`${i ? html`<span class="muted">/</span>` : nothing}<button @click=${() => this.go(parts.slice(0, i + 1).join("/"))}>${i === 0 ? "Home" : p}</button>`)}
        </nav>
        <input type="search" aria-label="Search your files" placeholder="Search" @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)}
          @keydown=${(e: KeyboardEvent) => e.key === "Escape" && ((((e.target as HTMLInputElement).value = ""), (this.query = "")))} />
        <button aria-pressed=${String(this.view === "grid")} @click=${() => (this.view = this.view === "list" ? "grid" : "list")}>${this.view === "list" ? "Grid" : "List"} view</button>
        ${
          this.inTrash
            ? html`<button class="danger" ?disabled=${this.entries.length === 0} @click=${() => this.deleteForGood(this.entries)}>Empty Trash</button>`
            : html`<button @click=${() => this.newFolder()}>New folder</button>`
        }
        <label><button @click=${() => (this.renderRoot.querySelector("#picker") as HTMLInputElement).click()} ?hidden=${this.inTrash}>Upload</button></label>
        <input id="picker" type="file" multiple hidden @change=${(e: Event) => this.upload((e.target as HTMLInputElement).files ?? [])} />
      </div>
      <div class="list ${this.dragging ? "dragging" : ""}" tabindex="0" role="region" aria-label="Files" @keydown=${this.onKey} @scroll=${this.listWindow.onScroll}
        @dragover=${(e: DragEvent) => (e.preventDefault(), (this.dragging = true))} @dragleave=${() => (this.dragging = false)}
        @drop=${(e: DragEvent) => (e.preventDefault(), (this.dragging = false), this.upload(e.dataTransfer?.files ?? []))}>
        ${
          this.query.trim()
            ? html`<pc2-file-search .query=${this.query} @open-result=${(ev: CustomEvent<Entry>) => this.openResult(ev.detail)}></pc2-file-search>`
            : this.listing.status === "loading"
              ? html`<p class="state muted" aria-busy="true">Loading…</p>`
              : this.listing.status === "error"
                ? html`<p class="state error" role="alert">${this.listing.error} <button @click=${() => this.load()}>Retry</button></p>`
                : this.entries.length === 0
                  ? html`<p class="empty muted">${this.inTrash ? "The Trash is empty." : "This folder is empty. Drop files here to upload them."}</p>`
                  : this.view === "grid"
                    ? html`<div class="grid" role="listbox" aria-multiselectable="true" aria-label="Files as icons">${this.entries.map((e) => fileTile(e, this, this.rowActions))}</div>`
                    : html`<table role="grid" aria-label="Files" aria-multiselectable="true" aria-rowcount=${this.listWindow.windowed ? this.entries.length + 1 : nothing}>
                  <thead><tr>
                    <th><button @click=${() => ((this.sort = "name"), this.load(false))}>Name</button></th>
                    <th class="size"><button @click=${() => ((this.sort = "size"), this.load(false))}>Size</button></th>
                    <th class="modified"><button @click=${() => ((this.sort = "modified"), this.load(false))}>Modified</button></th>
                    <th class="actions"><span class="muted">Actions</span></th>
                  </tr></thead>
                  <tbody>${this.renderRows()}</tbody>
                </table>`
        }
      </div>
      ${this.usage ? html`<p class="usage muted" data-testid="storage-usage">${storageLine(this.usage)}</p>` : nothing}
      ${this.uploads.length ? html`<pc2-upload-list .uploads=${this.uploads} @dismiss=${(ev: CustomEvent<UploadItem>) => (this.uploads = this.uploads.filter((u) => u !== ev.detail))}></pc2-upload-list>` : nothing}
      ${this.details ? html`<pc2-file-details .entry=${this.details} @close=${() => (this.details = null)}></pc2-file-details>` : nothing}
      ${
        this.placing
          ? html`<pc2-place-dialog .how=${this.placing.how} .entries=${this.placing.entries} .start=${this.path}
              @placed=${(ev: CustomEvent<string>) => ((this.placing = null), this.toast(ev.detail), this.load(false), this.focusList())}
              @failed=${(ev: CustomEvent<Error>) => ((this.placing = null), this.act(() => Promise.reject(ev.detail)))}
              @cancel=${() => ((this.placing = null), this.focusList())}></pc2-place-dialog>`
          : nothing
      }
      ${
        this.sharing
          ? html`<pc2-share-dialog .name=${this.sharing.entry.name} .links=${this.sharing.links} @close=${() => ((this.sharing = null), this.focusList())}
              @unshare=${() => {
                const e = this.sharing!.entry;
                this.sharing = null;
                return this.act(async () => (await actions.unshare(e), this.toast(`${e.name} is no longer shared`)));
              }}></pc2-share-dialog>`
          : nothing
      }
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

declare global {
  interface HTMLElementTagNameMap {
    "pc2-file-explorer": Pc2FileExplorer;
  }
}
