// <pc2-file-picker>: browse one's own folders and tick files; fires "pick" with the chosen "~/…" paths.
import { LitElement, css, html } from "lit";
import { api } from "../api/rest-client.ts";
import { sharedStyles } from "./shared-styles.ts";

interface Item {
  name: string;
  is_dir: boolean;
}

export class Pc2FilePicker extends LitElement {
  static override properties = { folder: { state: true }, items: { state: true }, chosen: { state: true }, problem: { state: true } };
  folder = "~/Documents";
  items: Item[] = [];
  chosen = new Set<string>();
  problem: string | null = null;

  static override styles = [
    sharedStyles,
    css`
      :host { display: block; border: 1px solid var(--pc2-border); border-radius: 8px; padding: 0.5rem; }
      ul { list-style: none; margin: 0.4rem 0; padding: 0; max-height: 11rem; overflow: auto; }
      li { padding: 0.15rem 0.2rem; }
      li button { padding: 0.1rem 0.5rem; }
      .bar { display: flex; gap: 0.4rem; align-items: center; }
      .bar .path { flex: 1; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load(this.folder);
  }

  private async load(folder: string): Promise<void> {
    try {
      this.items = await api.post<Item[]>("/readdir", { path: folder });
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
    this.dispatchEvent(new CustomEvent("pick", { detail: [...this.chosen] }));
  }

  override render() {
    const up = this.folder === "~" ? null : this.folder.slice(0, this.folder.lastIndexOf("/")) || "~";
    return html`<div class="bar">
        <button ?disabled=${!up} @click=${() => up && this.load(up)} aria-label="Up one folder">↑</button>
        <span class="path mono">${this.folder}</span>
        <button class="primary" @click=${this.done}>Use ${this.chosen.size} file${this.chosen.size === 1 ? "" : "s"}</button>
      </div>
      ${this.problem ? html`<p role="alert" class="error">${this.problem}</p>` : ""}
      <ul aria-label="Files to choose from">
        ${this.items.map((item) => {
          const path = `${this.folder}/${item.name}`;
          return item.is_dir
            ? html`<li>📁 <button @click=${() => this.load(path)}>${item.name}</button></li>`
            : html`<li><label><input type="checkbox" .checked=${this.chosen.has(path)} @change=${(e: Event) => this.toggle(path, (e.target as HTMLInputElement).checked)} /> ${item.name}</label></li>`;
        })}
        ${this.items.length === 0 && !this.problem ? html`<li class="muted">This folder is empty</li>` : ""}
      </ul>`;
  }
}

customElements.define("pc2-file-picker", Pc2FilePicker);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-file-picker": Pc2FilePicker;
  }
}
