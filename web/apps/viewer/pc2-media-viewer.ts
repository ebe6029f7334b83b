// <pc2-media-viewer>: plays audio and video from the owner's files with the browser's own players
// (served by /ipfs/<cid> with HTTP ranges, so seeking fetches only what is needed).
import { LitElement, css, html } from "lit";
import { sharedStyles } from "../../ui/shared-styles.ts";

export class Pc2MediaViewer extends LitElement {
  static override properties = { file: { attribute: false }, kind: {}, failed: { state: true } };
  file: { name: string; cid: string | null } | null = null;
  kind: "audio" | "video" = "video";
  failed = false;

  static override styles = [
    sharedStyles,
    css`
      :host { display: grid; place-items: center; height: 100%; background: #0b0f18; padding: 0.5rem; }
      video { max-width: 100%; max-height: 100%; }
      audio { width: min(36rem, 100%); }
      figure { margin: 0; display: grid; gap: 0.75rem; justify-items: center; width: 100%; }
      /* The stage is dark in either theme: its text is light in both. */
      figcaption { color: #b8c2d6; overflow-wrap: anywhere; text-align: center; }
    `,
  ];

  override render() {
    if (!this.file?.cid || this.failed) return html`<p class="error" role="alert">This ${this.kind === "audio" ? "recording" : "video"} cannot be played here.</p>`;
    const src = `/ipfs/${this.file.cid}`;
    return this.kind === "audio"
      ? html`<figure><audio controls preload="metadata" src=${src} aria-label=${this.file.name} @error=${() => (this.failed = true)}></audio><figcaption>${this.file.name}</figcaption></figure>`
      : html`<video controls preload="metadata" src=${src} aria-label=${this.file.name} @error=${() => (this.failed = true)}></video>`;
  }
}

customElements.define("pc2-media-viewer", Pc2MediaViewer);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-media-viewer": Pc2MediaViewer;
  }
}
