// <pc2-network-settings>: the Network tab of Settings. Everyone signed in: the node's place on the
// Boson network in plain words (live, from the `network` topic) and a look-up by Node ID. Admins and
// the Owner: turning networking on or off; the Owner: the node's public name (pc2-public-name); everyone:
// how the node speaks HTTPS and the certificate fingerprint to check (pc2-https-settings).
import { ContextConsumer } from "@lit/context";
import { LitElement, css, html, nothing } from "lit";
import type { LookupAnswer, NetworkStatus } from "../../../server/services/network/network-status.ts";
import { api, type User } from "../../api/rest-client.ts";
import { connectionContext } from "../../state/contexts.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";
import "./pc2-public-name.ts";
import "./pc2-https-settings.ts";

const STATE_WORDS: Record<NetworkStatus["state"], string> = { off: "Off", starting: "Joining…", online: "Online", alone: "Waiting for other nodes", failed: "Could not start" };

export class Pc2NetworkSettings extends LitElement {
  static override properties = { user: { attribute: false }, status: { state: true }, lookup: { state: true }, busy: { state: true }, message: { state: true } };
  user: User | null = null;
  status: NetworkStatus | null = null;
  lookup: LookupAnswer | null = null;
  busy = false;
  message: { text: string; error: boolean } | null = null;
  private readonly connection = new ContextConsumer(this, { context: connectionContext });
  private unsubscribe: (() => void)[] = [];

  static override styles = [
    sharedStyles,
    css`
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; margin: 0.75rem 0; font-size: 0.9rem; }
      dt { color: var(--pc2-muted, var(--pc2-muted)); }
      dd { margin: 0; overflow-wrap: anywhere; }
      .state { display: inline-block; padding: 0.1rem 0.5rem; border-radius: 999px; border: 1px solid var(--pc2-border); }
      .state[data-state="online"] { border-color: var(--pc2-ok); }
      .state[data-state="failed"] { border-color: var(--pc2-bad); }
      form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; margin: 0.5rem 0; }
      label { display: grid; gap: 0.25rem; font-size: 0.85rem; }
      input[name="nodeId"] { min-width: min(26rem, 80vw); }
    `,
  ];

  private get isAdmin(): boolean {
    return this.user?.role === "owner" || this.user?.role === "admin";
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    const connection = this.connection.value;
    if (connection) {
      this.unsubscribe.push(connection.on("network.status", (s) => this.apply(s as NetworkStatus)));
      void connection.subscribe("network").then((off) => this.unsubscribe.push(off));
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** The live event and an HTTP answer may arrive in either order: the newer status wins. */
  private apply(s: NetworkStatus): void {
    if (!this.status || s.revision >= this.status.revision) this.status = s;
  }

  private async load(): Promise<void> {
    try {
      this.apply(await api.get<NetworkStatus>("/api/network/status"));
    } catch (err) {
      this.message = { text: (err as Error).message, error: true };
    }
  }

  private async toggle(enabled: boolean): Promise<void> {
    this.busy = true;
    try {
      this.apply(await api.send<NetworkStatus>("PUT", "/api/network/settings", { enabled }));
      this.message = { text: enabled ? "Networking is on." : "Networking is off.", error: false };
    } catch (err) {
      this.message = { text: (err as Error).message, error: true };
    } finally {
      this.busy = false;
    }
  }

  private async find(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const nodeId = String(new FormData(e.target as HTMLFormElement).get("nodeId")).trim();
    this.lookup = null;
    this.busy = true;
    try {
      this.lookup = await api.get<LookupAnswer>(`/api/network/lookup/${encodeURIComponent(nodeId)}`);
      this.message = null;
    } catch (err) {
      this.message = { text: (err as Error).message, error: true };
    } finally {
      this.busy = false;
    }
  }

  private renderStatus(s: NetworkStatus) {
    const known = s.families.reduce((n, f) => n + f.routingTableSize, 0);
    return html`<p><span class="state" data-state=${s.state} data-testid="network-state">${STATE_WORDS[s.state]}</span></p>
      <p data-testid="network-summary">${s.summary}</p>
      ${s.error ? html`<p class="error" role="alert">${s.error}</p>` : nothing}
      <dl>
        <dt>Node ID</dt><dd class="mono">${s.nodeId}</dd>
        <dt>Other nodes known</dt><dd>${s.enabled ? known : "—"}</dd>
        <dt>Bootstrap nodes answering</dt><dd>${s.enabled ? `${s.bootstrap.filter((b) => b.reachable).length} of ${s.bootstrap.length}` : "—"}</dd>
        <dt>Last announced</dt><dd>${s.lastAnnounce ? new Date(s.lastAnnounce).toLocaleString() : "not yet"}</dd>
        <dt>Public address</dt><dd data-testid="public-endpoint">${s.publicEndpoint ?? (s.relay.client ? (s.relay.client.reason ? `none: ${s.relay.client.reason}` : "connecting to the super node…") : "none (no super node configured)")}</dd>
        ${s.relay.server ? html`<dt>Relay for other nodes</dt><dd>${s.relay.server.sessions} node${s.relay.server.sessions === 1 ? "" : "s"} connected, port ${s.relay.server.port}</dd>` : nothing}
        <dt>Kind of node</dt><dd>${s.mode === "super" ? "Super node (keeps records for others)" : "Ordinary node"}${s.udpPort ? html`, UDP port ${s.udpPort}` : nothing}</dd>
      </dl>`;
  }

  override render() {
    const s = this.status;
    return html`<h2>Network</h2>
      <p class="muted">When networking is on, this node joins the Boson network so other PC2 nodes can find it by its Node ID.
        It publishes only its Node ID, its address and the port PC2 listens on — never files, users or wallets.</p>
      ${this.message ? html`<p role=${this.message.error ? "alert" : "status"} class=${this.message.error ? "error" : "muted"}>${this.message.text}</p>` : nothing}
      ${s ? this.renderStatus(s) : html`<p class="muted">Loading…</p>`}
      ${s && this.isAdmin ? html`<button class="primary" ?disabled=${this.busy} @click=${() => this.toggle(!s.enabled)}>${s.enabled ? "Turn networking off" : "Turn networking on"}</button>` : nothing}
      <pc2-public-name .status=${s} .isOwner=${this.user?.role === "owner"}></pc2-public-name>
      <pc2-https-settings .isOwner=${this.user?.role === "owner"}></pc2-https-settings>
      <h2>Find a node</h2>
      <form aria-label="Find a node" @submit=${(e: SubmitEvent) => this.find(e)}>
        <label>Node ID or DID <input name="nodeId" required placeholder="did:boson:…" autocomplete="off" spellcheck="false" /></label>
        <button ?disabled=${this.busy || !s?.enabled}>Find</button>
      </form>
      ${
        this.lookup
          ? html`<p role="status" data-testid="lookup-result">${
              this.lookup.found
                ? html`Found in ${this.lookup.ms} ms${this.lookup.address ? html` at <span class="mono">${this.lookup.address}</span>` : nothing}.
                  ${this.lookup.info ? html`<br />It runs ${this.lookup.info.version} (it proved it with its key).` : nothing}
                  ${this.lookup.endpoints.map((e) => html`<br />PC2: ${e.url ? html`<a href=${e.url} target="_blank" rel="noopener noreferrer">${e.url}</a>` : `port ${e.port}`}`)}`
                : html`Not found on the network (${this.lookup.ms} ms). The node may be off, or not yet announced.`
            }</p>`
          : nothing
      }`;
  }
}

customElements.define("pc2-network-settings", Pc2NetworkSettings);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-network-settings": Pc2NetworkSettings;
  }
}
