// <pc2-https-settings>: how the node speaks HTTPS, in Settings › Network, for everyone signed in:
// which certificate it serves, in words, with the SHA-256 fingerprint to compare with the browser's
// certificate viewer, its names and dates; for the Owner and Admins, why new files were refused;
// for the Owner, the choice between the node's self-signed certificate and one from an ACME CA.
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
  static override properties = { isOwner: { attribute: false }, tls: { state: true }, error: { state: true }, busy: { state: true }, note: { state: true } };
  isOwner = false;
  tls: TlsStatus | null = null;
  error: string | null = null;
  busy = false;
  note: { text: string; error: boolean } | null = null;

  static override styles = [
    sharedStyles,
    css`
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; margin: 0.75rem 0; font-size: 0.9rem; }
      dt { color: var(--pc2-muted, var(--pc2-muted)); }
      dd { margin: 0; overflow-wrap: anywhere; }
      form { display: grid; gap: 0.5rem; margin: 0.75rem 0; max-width: 36rem; }
      fieldset { border: 1px solid var(--pc2-border); border-radius: 6px; display: grid; gap: 0.35rem; }
      label { display: grid; gap: 0.25rem; font-size: 0.85rem; }
      .choice { display: flex; gap: 0.5rem; align-items: baseline; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    api.get<TlsStatus>("/api/tls").then(
      (t) => (this.tls = t),
      (err: Error) => (this.error = err.message),
    );
  }

  private async save(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const mode = form.get("mode") === "acme" ? "acme" : "self-signed";
    const names = String(form.get("names") ?? "")
      .split(/[\s,]+/)
      .map((n) => n.trim().toLowerCase())
      .filter(Boolean);
    const email = String(form.get("email") ?? "").trim() || null;
    this.busy = true;
    try {
      this.tls = await api.send<TlsStatus>("PUT", "/api/tls", mode === "acme" ? { mode, names, email } : { mode });
      this.note = {
        text: mode === "acme" ? "Saved. The node asks the certificate authority now; until it answers, the self-signed certificate serves." : "Saved. The node serves its self-signed certificate.",
        error: false,
      };
    } catch (err) {
      this.note = { text: (err as Error).message, error: true };
    } finally {
      this.busy = false;
    }
  }

  private renderChoice(t: TlsStatus) {
    if (!t.choosable)
      return html`<p class="muted">The operator set this in the node's configuration (${t.mode === "off" ? "plain HTTP on loopback" : "their own certificate files"}); it cannot be changed here.</p>`;
    const acme = t.mode === "acme";
    return html`<form aria-label="Certificate" @submit=${(e: SubmitEvent) => this.save(e)}>
      <fieldset>
        <legend>Certificate</legend>
        <label class="choice"><input type="radio" name="mode" value="self-signed" ?checked=${!acme} /> The node's own self-signed certificate (for the LAN; browsers warn once)</label>
        <label class="choice"><input type="radio" name="mode" value="acme" ?checked=${acme} /> A certificate from an ACME certificate authority (the CA must reach the node on port 80 for each name)</label>
      </fieldset>
      <label>Names to certify, besides the public name (comma-separated)
        <input name="names" autocomplete="off" spellcheck="false" placeholder="pc2.example.com" .value=${t.acme?.configured.join(", ") ?? ""} />
      </label>
      <label>Contact e-mail for the certificate authority (optional) <input name="email" type="email" autocomplete="off" /></label>
      <button class="primary" ?disabled=${this.busy}>Save</button>
      <p class="muted">Chosen ${t.chosenIn === "settings" ? "here" : "in the node's configuration"}.</p>
    </form>`;
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
      }
      ${this.note ? html`<p role=${this.note.error ? "alert" : "status"} class=${this.note.error ? "error" : "muted"}>${this.note.text}</p>` : nothing}
      ${this.isOwner ? this.renderChoice(t) : nothing}`;
  }
}

customElements.define("pc2-https-settings", Pc2HttpsSettings);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-https-settings": Pc2HttpsSettings;
  }
}
