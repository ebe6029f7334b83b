// <pc2-file-details>: an entry's properties (name, size, CID, dates, sharing) under the file list.
// Events: \`close\` when the user closes it.
import { LitElement, css, html } from "lit";
import { sharedStyles } from "../../ui/shared-styles.ts";
import { formatSize, type Entry } from "./entry.ts";

export class Pc2FileDetails extends LitElement {
  static override properties = { entry: { attribute: false } };
  entry: Entry | null = null;

  static override styles = [
    sharedStyles,
    css`
      a { color: var(--pc2-accent); }
      :host { display: grid; grid-template-columns: max-content 1fr auto; gap: 0.25rem 0.8rem; border-top: 1px solid var(--pc2-border); padding: 0.6rem; font-size: 0.85rem; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.setAttribute("role", "region");
    this.setAttribute("aria-label", "Properties");
  }

  override render() {
    const e = this.entry;
    if (!e) return html``;
    const when = (t: number) => new Date(t * 1000).toLocaleString();
    return html`<span class="muted">Name</span><span>${e.name}</span><button aria-label="Close properties" @click=${() => this.dispatchEvent(new CustomEvent("close"))}>×</button>
      <span class="muted">Size</span><span>${e.is_dir ? "Folder" : `${formatSize(e.size)} (${e.size} bytes)`}</span><span></span>
      <span class="muted">CID</span><span class="mono" data-testid="cid">${e.cid ?? "—"}</span><span></span>
      <span class="muted">Created</span><span>${when(e.created)}</span><span></span>
      <span class="muted">Modified</span><span>${when(e.modified)}</span><span></span>
      <span class="muted">Shared</span><span data-testid="shared">${
        e.is_public && e.cid ? html`Yes: anyone with <a href=${`/ipfs/${e.cid}`} target="_blank" rel="noopener">the link</a> can open it` : "No"
      }</span><span></span>`;
  }
}

customElements.define("pc2-file-details", Pc2FileDetails);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-file-details": Pc2FileDetails;
  }
}
