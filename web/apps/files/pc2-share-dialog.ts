// <pc2-share-dialog>: a shared file's link, shown and copyable, at the node's best address for the
// person it is for — its public address, its address on the local network, or the one in use —
// and Stop sharing. Events: `close`; `unshare` (the explorer stops sharing and closes it).
import { LitElement, css, html } from "lit";
import type { ShareLink } from "../../../server/services/files/share-links.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";
import { copyText } from "./file-actions.ts";

const KIND_LABEL: Record<ShareLink["kind"], string> = {
  public: "Public address: works from anywhere",
  lan: "On your network: works at home or in the office",
  "this-address": "The address you are using",
};

const loopback = (url: string) => /^(?:127\.|\[::1\]$|localhost$)/.test(new URL(url).hostname);

export class Pc2ShareDialog extends LitElement {
  static override properties = { name: {}, links: { attribute: false }, chosen: { state: true }, copied: { state: true } };
  name = "";
  links: ShareLink[] = [];
  chosen = 0;
  copied = false;

  static override styles = [
    sharedStyles,
    css`
      :host { position: absolute; inset: 0; display: grid; place-items: center; background: rgba(5, 8, 14, 0.55); z-index: 10; }
      section { width: min(34rem, calc(100% - 1.5rem)); background: var(--pc2-card); border: 1px solid var(--pc2-border); border-radius: var(--pc2-radius); padding: 1rem 1.1rem; box-shadow: var(--pc2-shadow); }
      h2 { margin: 0 0 0.4rem; font-size: 1.05rem; overflow-wrap: anywhere; }
      fieldset { border: none; padding: 0; margin: 0.6rem 0; display: grid; gap: 0.35rem; }
      label { display: flex; gap: 0.5rem; align-items: baseline; overflow-wrap: anywhere; }
      .url { display: flex; gap: 0.5rem; margin: 0.6rem 0; }
      .url input { flex: 1; min-width: 0; }
      .actions { display: flex; gap: 0.5rem; justify-content: space-between; flex-wrap: wrap; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener("keydown", (e) => e.key === "Escape" && (e.stopPropagation(), this.close()));
  }

  override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLButtonElement>("button.primary")?.focus();
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent("close"));
  }

  private async copy(): Promise<void> {
    this.copied = await copyText(this.links[this.chosen]!.url);
  }

  override render() {
    const link = this.links[this.chosen];
    return html`<section role="dialog" aria-modal="true" aria-labelledby="share-title">
      <h2 id="share-title">Share “${this.name}”</h2>
      <p class="muted">Anyone with this link can open it, without signing in. Stop sharing to turn the link off.</p>
      ${
        this.links.length > 1
          ? html`<fieldset><legend class="muted">Which address</legend>
            ${this.links.map(
              (l, i) => html`<label><input type="radio" name="address" .checked=${i === this.chosen} @change=${() => ((this.chosen = i), (this.copied = false))} />
                <span>${KIND_LABEL[l.kind]}${loopback(l.url) ? " (only on the node's own computer)" : ""}</span></label>`,
            )}</fieldset>`
          : loopback(link?.url ?? "http://x")
            ? html`<p class="muted" role="note">This address works only on the node's own computer. Open the desktop through its network address, or turn networking on, for a link that works elsewhere.</p>`
            : ""
      }
      <div class="url"><input readonly aria-label="Link" data-testid="share-url" .value=${link?.url ?? ""} @focus=${(e: FocusEvent) => (e.target as HTMLInputElement).select()} />
        <button class="primary" @click=${() => this.copy()}>${this.copied ? "Copied" : "Copy link"}</button></div>
      <div class="actions">
        <button class="danger" @click=${() => this.dispatchEvent(new CustomEvent("unshare"))}>Stop sharing</button>
        <button @click=${() => this.close()}>Done</button>
      </div>
    </section>`;
  }
}

customElements.define("pc2-share-dialog", Pc2ShareDialog);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-share-dialog": Pc2ShareDialog;
  }
}
