// <pc2-node-status>: who this node is and how its parts are doing, from the public endpoints.
import { LitElement, css, html, nothing } from "lit";
import type { Health, NodeInfo } from "../../server/services/system/system.service.ts";
import { api } from "../api/rest-client.ts";

type Link = "connecting" | "online" | "offline";

const REFRESH_MS = 10_000;

export class Pc2NodeStatus extends LitElement {
  static override properties = {
    info: { state: true },
    health: { state: true },
    link: { state: true },
    error: { state: true },
  };

  info: NodeInfo | null = null;
  health: Health | null = null;
  link: Link = "connecting";
  error: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;

  static override styles = css`
    :host { display: block; max-width: 44rem; margin: 0 auto; padding: 2rem 1rem; }
    h1 { font-size: 1.6rem; margin: 0 0 0.25rem; }
    .sub { color: var(--pc2-muted); margin: 0 0 1.5rem; }
    .card { background: var(--pc2-card); border-radius: 12px; padding: 1rem 1.25rem; margin-bottom: 1rem; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.4rem 1rem; margin: 0; }
    dt { color: var(--pc2-muted); }
    dd { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; }
    ul { list-style: none; padding: 0; margin: 0; }
    li { display: flex; justify-content: space-between; padding: 0.3rem 0; }
    .ok { color: var(--pc2-ok); } .degraded { color: var(--pc2-warn); } .down, .offline { color: var(--pc2-bad); }
    .online { color: var(--pc2-ok); } .connecting { color: var(--pc2-warn); }
    [role="alert"] { color: var(--pc2-bad); }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.disposed = false;
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Poll the public endpoints; the signed-in desktop gets live updates over /ws instead. */
  private async refresh(): Promise<void> {
    try {
      [this.info, this.health] = await Promise.all([api.info(), api.health()]);
      this.link = "online";
      this.error = null;
    } catch (err) {
      this.link = "offline";
      this.error = `Cannot reach the node: ${(err as Error).message}`;
    }
    if (!this.disposed) this.timer = setTimeout(() => void this.refresh(), REFRESH_MS);
  }

  override render() {
    const { info, health } = this;
    return html`
      <h1>${info?.name ?? "PC2"}</h1>
      <p class="sub">Your cloud computer · <span class=${this.link} data-testid="link">${this.link}</span></p>
      ${this.error ? html`<p role="alert">${this.error}</p>` : nothing}
      ${info
        ? html`<section class="card" aria-label="Identity">
            <dl>
              <dt>Node ID</dt><dd data-testid="node-id">${info.nodeId}</dd>
              <dt>DID</dt><dd>${info.did}</dd>
              <dt>Version</dt><dd>${info.version}</dd>
              <dt>Up since</dt><dd>${new Date(info.startedAt).toLocaleString()}</dd>
            </dl>
          </section>`
        : nothing}
      ${health
        ? html`<section class="card" aria-label="Health">
            <ul>
              ${Object.entries(health.components).map(
                ([name, c]) => html`<li><span>${name}</span><span class=${c.status}>${c.status}</span></li>`,
              )}
            </ul>
          </section>`
        : nothing}
    `;
  }
}

customElements.define("pc2-node-status", Pc2NodeStatus);
