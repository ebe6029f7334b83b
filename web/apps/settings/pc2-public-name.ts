// <pc2-public-name>: the node's name at the name gateway (http://<name>.<domain>), in Settings ›
// Network. Everyone sees it; the Owner picks one (check, register), changes or releases it. The
// status comes from the parent, live.
import { LitElement, css, html, nothing } from "lit";
import type { NetworkStatus } from "../../../server/services/network/network-status.ts";
import { api } from "../../api/rest-client.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";

type PublicName = NetworkStatus["publicName"];

export class Pc2PublicName extends LitElement {
  static override properties = { status: { attribute: false }, isOwner: { attribute: false }, busy: { state: true }, note: { state: true }, registered: { state: true } };
  status: NetworkStatus | null = null;
  isOwner = false;
  busy = false;
  note: { text: string; error: boolean } | null = null;
  /** What the last change answered, until the live status catches up. */
  registered: PublicName | null = null;

  static override styles = [
    sharedStyles,
    css`
      form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; margin: 0.5rem 0; }
      label { display: grid; gap: 0.25rem; font-size: 0.85rem; }
    `,
  ];

  private get name(): PublicName | null {
    return this.registered ?? this.status?.publicName ?? null;
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("status")) this.registered = null;
  }

  private field(): string {
    return (this.renderRoot.querySelector<HTMLInputElement>("input[name=name]")?.value ?? "").trim();
  }

  private async run(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    try {
      await work();
    } catch (err) {
      this.note = { text: (err as Error).message, error: true };
    } finally {
      this.busy = false;
    }
  }

  private check(): Promise<void> {
    return this.run(async () => {
      const a = await api.get<{ username: string; available: boolean }>(`/api/network/name/available?name=${encodeURIComponent(this.field())}`);
      this.note = { text: a.available ? `'${a.username}' is free.` : `'${a.username}' is taken.`, error: !a.available };
    });
  }

  private register(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    return this.run(async () => {
      const r = await api.send<{ name: string; url: string; httpsUrl: string | null }>("PUT", "/api/network/name", { name: this.field() });
      this.registered = { configured: true, name: r.name, url: r.url, httpsUrl: r.httpsUrl, error: null };
      this.note = { text: `This node is now ${r.httpsUrl ?? r.url}`, error: false };
    });
  }

  private release(): Promise<void> {
    return this.run(async () => {
      this.registered = await api.send<PublicName>("DELETE", "/api/network/name");
      this.note = { text: "The name is released.", error: false };
    });
  }

  override render() {
    const n = this.name;
    if (!n) return nothing;
    if (!n.configured) return html`<h2>Public name</h2><p class="muted">No name gateway is configured for this node (network.gateway.url).</p>`;
    const online = Boolean(this.status?.publicEndpoint);
    return html`<h2>Public name</h2>
      <p data-testid="public-name">${n.url ? html`This node is <a href=${n.httpsUrl ?? n.url} target="_blank" rel="noopener noreferrer">${n.httpsUrl ?? n.url}</a>` : "This node has no name yet."}</p>
      ${
        n.url
          ? html`<p class="muted" data-testid="public-name-security">${
              n.httpsUrl
                ? `HTTPS is end to end: the super node passes the encrypted connection on by its name and cannot read requests, cookies or files. Plain ${n.url} goes through the super node unencrypted.`
                : `This gateway offers plain HTTP only: the super node can read what passes through it. Prefer your own network, or a gateway with HTTPS.`
            }</p>`
          : nothing
      }
      ${n.error ? html`<p class="error" role="alert">Could not register again: ${n.error}</p>` : nothing}
      ${this.note ? html`<p role=${this.note.error ? "alert" : "status"} class=${this.note.error ? "error" : "muted"}>${this.note.text}</p>` : nothing}
      ${
        this.isOwner
          ? html`<form aria-label="Public name" @submit=${(e: SubmitEvent) => this.register(e)}>
              <label>Name (3–30 letters, digits, - or _)
                <input name="name" required minlength="3" maxlength="30" pattern="[A-Za-z0-9][A-Za-z0-9_\\-]{2,29}" autocomplete="off" spellcheck="false" placeholder="yourname" />
              </label>
              <button type="button" ?disabled=${this.busy} @click=${() => this.check()}>Check</button>
              <button class="primary" ?disabled=${this.busy || !online}>${n.name ? "Change name" : "Register"}</button>
              ${n.name ? html`<button type="button" ?disabled=${this.busy} @click=${() => this.release()}>Release</button>` : nothing}
            </form>
            ${online ? nothing : html`<p class="muted">A name needs a public address first: turn networking on with a super node configured.</p>`}`
          : nothing
      }`;
  }
}

customElements.define("pc2-public-name", Pc2PublicName);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-public-name": Pc2PublicName;
  }
}
