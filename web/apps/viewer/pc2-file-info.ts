// <pc2-file-info>: a file the desktop cannot show — what it is (name, type, size, dates, CID) and
// a Download button, instead of a download the user did not ask for.
import { LitElement, css, html } from "lit";
import { sharedStyles } from "../../ui/shared-styles.ts";
import { type Entry, formatSize } from "../files/entry.ts";

export class Pc2FileInfo extends LitElement {
  static override properties = { file: { attribute: false } };
  file: Entry | null = null;

  static override styles = [
    sharedStyles,
    css`
      :host { display: block; padding: 1.25rem; }
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.4rem 1rem; margin: 0 0 1rem; }
      dt { color: var(--pc2-muted); }
      dd { margin: 0; overflow-wrap: anywhere; }
    `,
  ];

  override render() {
    const f = this.file;
    if (!f) return html``;
    return html`<p>PC2 cannot show this kind of file. Download it to open it with an app on your device.</p>
      <dl>
        <dt>Name</dt><dd>${f.name}</dd>
        <dt>Type</dt><dd>${f.type || "unknown"}</dd>
        <dt>Size</dt><dd>${formatSize(f.size)}</dd>
        <dt>Modified</dt><dd>${new Date(f.modified * 1000).toLocaleString()}</dd>
        ${f.cid ? html`<dt>CID</dt><dd class="mono">${f.cid}</dd>` : ""}
      </dl>
      <a class="button primary" href=${`/read?file=${encodeURIComponent(f.uid)}`} download=${f.name}>Download</a>`;
  }
}

customElements.define("pc2-file-info", Pc2FileInfo);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-file-info": Pc2FileInfo;
  }
}
