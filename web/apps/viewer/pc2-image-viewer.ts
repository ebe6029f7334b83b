// <pc2-image-viewer>: shows an image from the owner's files (served by /ipfs/<cid>, owner-only until shared).
import { LitElement, css, html } from "lit";
import { sharedStyles } from "../../ui/shared-styles.ts";

export class Pc2ImageViewer extends LitElement {
  static override properties = { file: { attribute: false }, failed: { state: true } };
  file: { name: string; cid: string | null } | null = null;
  failed = false;

  static override styles = [
    sharedStyles,
    css`
      :host { display: grid; place-items: center; height: 100%; background: #0b0f18; }
      img { max-width: 100%; max-height: 100%; object-fit: contain; }
    `,
  ];

  override render() {
    if (!this.file?.cid || this.failed) return html`<p class="error" role="alert">This image cannot be shown.</p>`;
    return html`<img src=${`/ipfs/${this.file.cid}`} alt=${this.file.name} @error=${() => (this.failed = true)} />`;
  }
}

customElements.define("pc2-image-viewer", Pc2ImageViewer);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-image-viewer": Pc2ImageViewer;
  }
}
