// <pc2-file-search>: the matches for `query` across every folder of the user's (by name; the Trash
// left out), shown in the explorer in the folder's place while its search box holds text; searched
// again after a pause of 250 ms in typing. Event: `open-result` (detail: the Entry, path as "~/…").
import { LitElement, html } from "lit";
import { api } from "../../api/rest-client.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";
import { type Entry, homePath } from "./entry.ts";
import { iconFor } from "./file-icons.ts";
import { explorerStyles } from "./pc2-file-explorer.styles.ts";

export class Pc2FileSearch extends LitElement {
  static override properties = { query: {}, results: { state: true }, problem: { state: true } };
  query = "";
  results: Entry[] | null = null;
  problem: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  static override styles = [sharedStyles, explorerStyles];

  override willUpdate(changed: Map<string, unknown>): void {
    if (!changed.has("query")) return;
    if (this.timer) clearTimeout(this.timer);
    const q = this.query.trim().slice(0, 255);
    if (!q) return;
    this.timer = setTimeout(async () => {
      try {
        const { items } = await api.get<{ items: Entry[] }>(`/api/files/search?q=${encodeURIComponent(q)}`);
        this.results = items.map((e) => ({ ...e, path: homePath(e.path) })).filter((e) => !e.path.startsWith("~/Trash/"));
        this.problem = null;
      } catch (err) {
        this.problem = (err as Error).message;
      }
    }, 250);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer) clearTimeout(this.timer);
  }

  private open(e: Entry): void {
    this.dispatchEvent(new CustomEvent("open-result", { detail: e }));
  }

  override render() {
    if (this.problem) return html`<p class="state error" role="alert">${this.problem}</p>`;
    if (this.results === null) return html`<p class="state muted" aria-busy="true">Searching…</p>`;
    if (!this.results.length) return html`<p class="empty muted">No file or folder by that name.</p>`;
    return html`<table role="grid" aria-label="Search results"><thead><tr><th>Name</th><th>Folder</th></tr></thead><tbody>
      ${this.results.map(
        (e) => html`<tr data-name=${e.name} @dblclick=${() => this.open(e)}>
          <td class="name"><div class="cell"><span class="glyph">${iconFor(e)}</span><button class="link" @click=${() => this.open(e)}>${e.name}</button></div></td>
          <td class="muted">${e.path.slice(0, e.path.lastIndexOf("/")) || "~"}</td></tr>`,
      )}
    </tbody></table>`;
  }
}

customElements.define("pc2-file-search", Pc2FileSearch);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-file-search": Pc2FileSearch;
  }
}
