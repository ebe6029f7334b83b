// <pc2-upload-list>: the explorer's uploads in progress, done or failed, each with its progress and
// Cancel (or ×, which raises `dismiss`; the explorer drops finished ones by itself after a moment).
import { LitElement, css, html } from "lit";
import { sharedStyles } from "../../ui/shared-styles.ts";
import type { UploadItem } from "./upload-queue.ts";

export class Pc2UploadList extends LitElement {
  static override properties = { uploads: { attribute: false } };
  uploads: UploadItem[] = [];

  static override styles = [
    sharedStyles,
    css`
      :host { display: grid; gap: 0.3rem; border-top: 1px solid var(--pc2-border); padding: 0.4rem 0.6rem; max-height: 9rem; overflow: auto; }
      .upload { display: grid; grid-template-columns: 1fr auto auto; gap: 0.5rem; align-items: center; font-size: 0.85rem; }
      progress { width: 8rem; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.setAttribute("aria-label", "Uploads");
  }

  override render() {
    return this.uploads.map(
      (u) => html`<div class="upload" data-upload=${u.name} data-state=${u.state}>
        <span>${u.name} <span class="muted">${u.state === "failed" ? u.error : u.state}</span></span>
        <progress max=${u.size || 1} value=${u.loaded} aria-label=${`Upload of ${u.name}`}></progress>
        ${
          u.state === "uploading"
            ? html`<button @click=${() => u.cancel()}>Cancel</button>`
            : html`<button aria-label=${`Dismiss ${u.name}`} @click=${() => this.dispatchEvent(new CustomEvent("dismiss", { detail: u }))}>×</button>`
        }
      </div>`,
    );
  }
}

customElements.define("pc2-upload-list", Pc2UploadList);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-upload-list": Pc2UploadList;
  }
}
