// <pc2-file-picker>: browse one's own folders and choose — files (ticked; "pick" with their "~/…"
// paths) or, in folder mode, the folder shown ("pick" with [its path]: Move to…, Copy to…). The
// Trash is never offered as a place to put things.
import { LitElement, css, html, nothing } from "lit";
import { api } from "../api/rest-client.ts";
import { icons } from "./icons.ts";
import { sharedStyles } from "./shared-styles.ts";

interface Item {
  name: string;
  is_dir: boolean;
}

export class Pc2FilePicker extends LitElement {
  static override properties = {
    folder: { state: true },
    items: { state: true },
    chosen: { state: true },
    problem: { state: true },
    mode: {},
    action: {},
    start: {},
  };
  folder = "~/Documents";
  items: Item[] = [];
  chosen = new Set<string>();
  problem: string | null = null;
  /** "files": tick files; "folder": choose the folder shown. */
  mode: "files" | "folder" = "files";
  /** The folder mode's button ("Move here", "Copy here"). */
  action = "Choose this folder";
  /** Where browsing starts. */
  start = "~/Documents";

  static override styles = [
    sharedStyles,
    css`
      :host { display: block; border: 1px solid var(--pc2-border); border-radius: 8px; padding: 0.5rem; }
      ul { list-style: none; margin: 0.4rem 0; padding: 0; max-height: 11rem; overflow: auto; }
      li { padding: 0.15rem 0.2rem; }
      li button { padding: 0.1rem 0.5rem; display: inline-flex; gap: 0.4rem; align-items: center; }
      .glyph { width: 16px; height: 16px; display: inline-block; }
      .bar { display: flex; gap: 0.4rem; align-items: center; flex-wrap: wrap; }
      .bar .path { flex: 1; min-width: 8rem; overflow-wrap: anywhere; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load(this.start);
  }

  private async load(folder: string): Promise<void> {
    try {
      const items = await api.post<Item[]>("/readdir", { path: folder });
      this.items = this.mode === "folder" ? items.filter((i) => i.is_dir && !(folder === "~" && i.name === "Trash")) : items;
      this.folder = folder;
      this.problem = null;
    } catch (err) {
      this.problem = (err as Error).message;
    }
  }

  private toggle(path: string, on: boolean): void {
    const next = new Set(this.chosen);
    if (on) next.add(path);
    else next.delete(path);
    this.chosen = next;
  }

  private done(): void {
    this.dispatchEvent(new CustomEvent("pick", { detail: this.mode === "folder" ? [this.folder] : [...this.chosen] }));
  }

  override render() {
    const up = this.folder === "~" ? null : this.folder.slice(0, this.folder.lastIndexOf("/")) || "~";
    const n = this.chosen.size;
    return html`<div class="bar">
        <button ?disabled=${!up} @click=${() => up && this.load(up)} aria-label="Up one folder">↑</button>
        <span class="path mono">${this.folder}</span>
        ${
          this.mode === "folder"
            ? html`<button class="primary" @click=${this.done}>${this.action}</button>`
            : html`<button class="primary" ?disabled=${n === 0} @click=${this.done}>${n === 0 ? "Tick files to use" : `Use ${n} file${n === 1 ? "" : "s"}`}</button>`
        }
        <button @click=${() => this.dispatchEvent(new CustomEvent("cancel"))}>Cancel</button>
      </div>
      ${this.problem ? html`<p role="alert" class="error">${this.problem}</p>` : nothing}
      <ul aria-label=${this.mode === "folder" ? "Folders" : "Files to choose from"}>
        ${this.items.map((item) => {
          const path = `${this.folder}/${item.name}`;
          return item.is_dir
            ? html`<li><button @click=${() => this.load(path)}><span class="glyph">${icons.folder}</span>${item.name}</button></li>`
            : html`<li><label><input type="checkbox" .checked=${this.chosen.has(path)} @change=${(e: Event) => this.toggle(path, (e.target as HTMLInputElement).checked)} /> ${item.name}</label></li>`;
        })}
        ${this.items.length === 0 && !this.problem ? html`<li class="muted">${this.mode === "folder" ? "No folders in here" : "This folder is empty"}</li>` : nothing}
      </ul>`;
  }
}

customElements.define("pc2-file-picker", Pc2FilePicker);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-file-picker": Pc2FilePicker;
  }
}
