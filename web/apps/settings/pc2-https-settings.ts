// <pc2-https-settings>: how the node speaks HTTPS, in Settings › Network, for everyone signed in:
// which certificate it serves, in words, with the SHA-256 fingerprint to compare with the browser's
// certificate viewer, its names and dates; for the Owner and Admins, why new files were refused.
import { LitElement, css, html, nothing } from "lit";
import type { TlsStatus } from "../../../server/services/tls/tls.service.ts";
import { api } from "../../api/rest-client.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";

const MODE_WORDS: Record<TlsStatus["mode"], string> = {
  off: "Plain HTTP: this node listens on this machine only (loopback), where nothing crosses the network.",
  "self-signed": "HTTPS with the node's own self-signed certificate. Browsers warn once; before you accept, check that the fingerprint they show is the one below.",
  files: "HTTPS with the Owner's own certificate.",
  acme: "HTTPS with a certificate from an ACME certificate authority (such as Let's Encrypt), renewed by the node.",
};

const ACME_WORDS: Record<NonNullable<TlsStatus["acme"]>["state"], string> = {
  waiting: "Waiting for a name to certify: register a public name, or set tls.acme.names.",
  requesting: "Asking the certificate authority…",
  issued: "Issued; renewed automatically when a third of its life is left.",
  failed: "The certificate authority did not issue a certificate.",
};

export class Pc2HttpsSettings extends LitElement {
  static override properties = { tls: { state: true }, error: { state: true } };
  tls: TlsStatus | null = null;
  error: string | null = null;

  static override styles = [
    sharedStyles,
    css`
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; margin: 0.75rem 0; font-size: 0.9rem; }
      dt { color: var(--pc2-muted, #9aa4b2); }
      dd { margin: 0; overflow-wrap: anywhere; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    api.get<TlsStatus>("/api/tls").then(
      (t) => (this.tls = t),
      (err: Error) => (this.error = err.message),
    );
  }

  override render() {
    const t = this.tls;
    if (this.error) return html`<h2>Connection security</h2><p class="error" role="alert">${this.error}</p>`;
    if (!t) return nothing;
    const c = t.certificate;
    const here = location.protocol === "https:" ? "This page came over HTTPS." : "This page came over plain HTTP.";
    return html`<h2>Connection security</h2>
      <p data-testid="tls-mode">${MODE_WORDS[t.mode]} <span class="muted">${here}</span></p>
      ${t.lastError ? html`<p class="error" role="alert">New certificate files were not used: ${t.lastError}</p>` : nothing}
      ${
        t.acme
          ? html`<p data-testid="acme-state">${ACME_WORDS[t.acme.state]}${t.acme.names.length ? ` Names: ${t.acme.names.join(", ")}.` : ""}</p>
              ${t.acme.lastError ? html`<p class="error" role="alert">${t.acme.lastError}${t.acme.nextCheckAt ? ` Next try: ${new Date(t.acme.nextCheckAt).toLocaleString()}.` : ""}</p>` : nothing}`
          : nothing
      }
      ${
        c
          ? html`<dl>
              <dt>SHA-256 fingerprint</dt><dd class="mono" data-testid="tls-fingerprint">${c.fingerprint}</dd>
              <dt>Names</dt><dd>${c.names.join(", ")}</dd>
              <dt>Valid</dt><dd>${new Date(c.notBefore).toLocaleDateString()} to ${new Date(c.notAfter).toLocaleDateString()}</dd>
              <dt>Issued by</dt><dd>${c.selfSigned ? "this node (self-signed)" : c.issuer}</dd>
              <dt>Protocol</dt><dd>TLS ${t.minVersion === "1.3" ? "1.3 only" : "1.3, and 1.2 for old clients"}${t.hsts ? "; browsers are told to use HTTPS only (HSTS)" : ""}</dd>
            </dl>`
          : nothing
      }`;
  }
}

customElements.define("pc2-https-settings", Pc2HttpsSettings);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-https-settings": Pc2HttpsSettings;
  }
}
