// <pc2-function-details>: one function — its URL, edit (main.ts in the editor) and deploy, the
// switches (public, enabled, the LAN for the Owner), allowed hosts, limits lower than the node's,
// secrets (names only: values are never shown back), deployments with rollback, metrics, and its
// log, live.
import { LitElement, css, html, nothing } from "lit";
import { ContextConsumer } from "@lit/context";
import { connectionContext } from "../../state/contexts.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";
import {
  deleteFunction,
  deployFolder,
  type FunctionInfo,
  functionLogs,
  functionUrl,
  type LimitsChange,
  type LogEntry,
  mainFile,
  rollback,
  setSecrets,
  sourceFolder,
  updateFunction,
} from "./functions-api.ts";

/** Lines kept on screen (the node keeps the last 1,000 too). */
const SHOWN_LOGS = 500;

const time = (at: number) => new Date(at).toLocaleString();

/** The limits a deployer may set, with their labels (the API's units). */
const LIMITS: [keyof FunctionInfo["limits"], string][] = [
  ["wallMs", "Time per request (ms)"],
  ["memoryMb", "Memory (MiB)"],
  ["concurrency", "Requests at once"],
  ["bodyBytes", "Request body (bytes)"],
];

export class Pc2FunctionDetails extends LitElement {
  static override properties = {
    fn: { attribute: false },
    domain: { attribute: false },
    isOwner: { type: Boolean, attribute: "is-owner" },
    logs: { state: true },
    busy: { state: true },
    problem: { state: true },
    notice: { state: true },
  };
  fn!: FunctionInfo;
  /** The node's functions domain, or null (then no host name of its own can be chosen). */
  domain: string | null = null;
  isOwner = false;
  logs: LogEntry[] = [];
  busy = false;
  problem: string | null = null;
  notice: string | null = null;
  private readonly connection = new ContextConsumer(this, { context: connectionContext, subscribe: true });
  private offs: (() => void)[] = [];
  private loadedFor: string | null = null;

  static override styles = [
    sharedStyles,
    css`
      :host { display: grid; gap: 0.9rem; align-content: start; }
      h2 { margin: 0; display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
      h3 { margin: 0 0 0.4rem; font-size: 1rem; }
      section { border-top: 1px solid var(--pc2-border); padding-top: 0.7rem; }
      .row { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; }
      .badge { font-size: 0.75rem; border: 1px solid var(--pc2-border); border-radius: 999px; padding: 0.1rem 0.5rem; font-weight: 400; }
      .badge.off { border-color: var(--pc2-bad); color: var(--pc2-bad); }
      a.url { color: var(--pc2-accent); overflow-wrap: anywhere; }
      table { border-collapse: collapse; width: 100%; }
      td, th { text-align: left; padding: 0.3rem 0.4rem; border-bottom: 1px solid var(--pc2-border); font-weight: 400; }
      ul.secrets { list-style: none; margin: 0 0 0.5rem; padding: 0; display: flex; gap: 0.4rem; flex-wrap: wrap; }
      ul.secrets li { display: flex; gap: 0.3rem; align-items: center; border: 1px solid var(--pc2-border); border-radius: 999px; padding: 0.1rem 0.2rem 0.1rem 0.6rem; }
      textarea { width: 100%; min-height: 4rem; }
      pre.log { margin: 0; background: #0b0f18; color: #dfe6f2; border-radius: 8px; padding: 0.6rem; min-height: 4rem; max-height: 16rem; overflow: auto; white-space: pre-wrap; }
      pre.log .warn { color: #ffd27a; }
      pre.log .error { color: #ff8f8f; }
      pre.log .at { color: #8a96ab; }
    `,
  ];

  override updated(changed: Map<string, unknown>): void {
    if (changed.has("fn") && this.fn && this.loadedFor !== this.fn.name) void this.follow();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unfollow();
  }

  private unfollow(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }

  /** The log so far, then each new line as the node writes it (the `functions` topic). */
  private async follow(): Promise<void> {
    this.unfollow();
    const name = this.fn.name;
    this.loadedFor = name;
    this.logs = [];
    const connection = this.connection.value;
    if (connection) {
      this.offs.push(
        connection.on("function.log", (p) => {
          const line = p as LogEntry & { name: string };
          if (line.name === this.loadedFor) this.logs = [...this.logs, line].slice(-SHOWN_LOGS);
        }),
      );
      const unsubscribe = await connection.subscribe("functions").catch(() => null);
      if (unsubscribe) this.offs.push(unsubscribe);
    }
    const earlier = await functionLogs(name).catch(() => []);
    if (this.loadedFor === name) this.logs = [...earlier, ...this.logs.filter((l) => !earlier.some((e) => e.at === l.at && e.message === l.message))].slice(-SHOWN_LOGS);
  }

  /** Run a change; the function as the node now has it goes up to the app. */
  private async act(what: () => Promise<FunctionInfo | null>, done?: string): Promise<void> {
    this.busy = true;
    this.problem = null;
    this.notice = null;
    try {
      const next = await what();
      if (next) this.dispatchEvent(new CustomEvent("function-changed", { detail: next, bubbles: true, composed: true }));
      this.notice = done ?? null;
    } catch (err) {
      this.problem = (err as Error).message;
    } finally {
      this.busy = false;
    }
    // What happened is said at the top: bring it into sight from wherever the button was.
    await this.updateComplete;
    this.renderRoot.querySelector('[role="alert"], [role="status"]')?.scrollIntoView({ block: "nearest" });
  }

  private async edit(): Promise<void> {
    const entry = await mainFile(this.fn.name);
    if (!entry) {
      this.problem = `There is no ${sourceFolder(this.fn.name)}/main.ts to edit: this function was deployed from elsewhere (pc2 fn deploy). Put its source in that folder to edit and deploy it here.`;
      return;
    }
    this.dispatchEvent(new CustomEvent("open-file", { detail: entry, bubbles: true, composed: true }));
  }

  private deploy(): Promise<void> {
    return this.act(async () => {
      const deployed = await deployFolder(this.fn.name);
      if (deployed.startError) throw new Error(`Deployed ${deployed.current}, but it did not start: ${deployed.startError}`);
      return deployed;
    }, "Deployed");
  }

  private field(name: string): string {
    return (this.renderRoot.querySelector(`[name="${name}"]`) as HTMLInputElement | HTMLTextAreaElement | null)?.value ?? "";
  }

  private addSecret(e: Event): Promise<void> {
    e.preventDefault();
    // Taken now: once the event has been dispatched, its target is no longer this shadow root's form.
    const form = e.target as HTMLFormElement;
    const name = this.field("secret-name").trim();
    const value = this.field("secret-value");
    return this.act(async () => {
      const next = await setSecrets(this.fn.name, { [name]: value });
      form.reset();
      return next;
    }, `Secret ${name} set`);
  }

  private saveHosts(): Promise<void> {
    const hosts = this.field("hosts")
      .split(/[\s,]+/)
      .filter(Boolean);
    return this.act(() => updateFunction(this.fn.name, { allowedHosts: hosts }), "Allowed hosts saved");
  }

  /** The limits whose field differs from what the function has now. */
  private saveLimits(e: Event): Promise<void> {
    e.preventDefault();
    const change: LimitsChange = {};
    for (const [key] of LIMITS) {
      const value = Number(this.field(`limit-${key}`));
      if (value !== this.fn.limits[key].value) change[key] = value;
    }
    return this.act(() => updateFunction(this.fn.name, { limits: change }), "Limits saved: they apply from the next request");
  }

  private resetLimits(): Promise<void> {
    const change: LimitsChange = Object.fromEntries(LIMITS.map(([key]) => [key, null]));
    return this.act(() => updateFunction(this.fn.name, { limits: change }), "Back to the node's limits");
  }

  private saveSubdomain(e: Event): Promise<void> {
    e.preventDefault();
    const subdomain = this.field("subdomain").trim().toLowerCase();
    return this.act(() => updateFunction(this.fn.name, { subdomain: subdomain || null }), subdomain ? `Now also at ${subdomain}.${this.domain}` : "Own address removed");
  }

  private deleteIt(): Promise<void> {
    if (!confirm(`Delete ${this.fn.name}, its deployments, secrets, stored data and logs? Its source in ${sourceFolder(this.fn.name)} stays.`)) return Promise.resolve();
    return this.act(async () => {
      await deleteFunction(this.fn.name);
      this.dispatchEvent(new CustomEvent("function-deleted", { detail: this.fn.name, bubbles: true, composed: true }));
      return null;
    });
  }

  private async copyUrl(): Promise<void> {
    await navigator.clipboard?.writeText(functionUrl(this.fn)).catch(() => undefined);
    this.notice = "Address copied";
  }

  override render() {
    const f = this.fn;
    if (!f) return nothing;
    const m = f.metrics;
    return html`<h2>
        <span class="mono">${f.name}</span>
        <span class="badge">${f.visibility === "public" ? "Public" : "Private"}</span>
        ${f.disabled ? html`<span class="badge off">Disabled</span>` : nothing}
      </h2>
      ${this.problem ? html`<p role="alert" class="error">${this.problem}</p>` : nothing}
      ${this.notice ? html`<p role="status">${this.notice}</p>` : nothing}
      <div class="row">
        <a class="url mono" href=${functionUrl(f)} target="_blank" rel="noopener">${functionUrl(f)}</a>
        <button @click=${this.copyUrl}>Copy address</button>
      </div>
      <p class="muted">${f.visibility === "public" ? "Anyone who can reach this node can call it." : "Only people signed in to this node can call it."}
        Requests: ${m.requests}, errors: ${m.errors}${m.p50Ms !== null ? `, p50 ${m.p50Ms} ms, p99 ${m.p99Ms} ms` : ""}.</p>
      <div class="row">
        <button @click=${this.edit}>Edit main.ts</button>
        <button class="primary" ?disabled=${this.busy} @click=${this.deploy}>Deploy ${sourceFolder(f.name)}</button>
        <button ?disabled=${this.busy} @click=${() => this.act(() => updateFunction(f.name, { visibility: f.visibility === "public" ? "private" : "public" }))}>
          ${f.visibility === "public" ? "Make private" : "Make public"}
        </button>
        <button ?disabled=${this.busy} @click=${() => this.act(() => updateFunction(f.name, { disabled: !f.disabled }))}>${f.disabled ? "Enable" : "Disable"}</button>
        <button class="danger" ?disabled=${this.busy} @click=${this.deleteIt}>Delete</button>
      </div>
      ${
        this.domain
          ? html`<section aria-labelledby="own-h">
              <h3 id="own-h">Own address</h3>
              <p class="muted">A host name of its own under ${this.domain}: every path there is this function's. Leave empty to remove it.</p>
              <form class="row" @submit=${this.saveSubdomain}>
                <input name="subdomain" aria-label="Subdomain" placeholder=${f.name} .value=${f.subdomain ?? ""} pattern="[a-z0-9]([a-z0-9\\-]{0,61}[a-z0-9])?" maxlength="63" autocomplete="off" />
                <span class="mono">.${this.domain}</span>
                <button ?disabled=${this.busy}>Save address</button>
              </form>
            </section>`
          : nothing
      }
      <section aria-labelledby="hosts-h">
        <h3 id="hosts-h">Allowed hosts</h3>
        <p class="muted">Where its fetch() may connect: one per line, as host, host:port or *.domain. Nothing else is reachable.</p>
        <textarea name="hosts" aria-labelledby="hosts-h" .value=${f.allowedHosts.join("\n")}></textarea>
        <div class="row">
          <button ?disabled=${this.busy} @click=${this.saveHosts}>Save hosts</button>
          ${
            this.isOwner
              ? html`<label><input type="checkbox" .checked=${f.allowLan} @change=${(e: Event) => this.act(() => updateFunction(f.name, { allowLan: (e.target as HTMLInputElement).checked }))} />
                  May reach the local network and this machine</label>`
              : nothing
          }
        </div>
      </section>
      <section aria-labelledby="limits-h">
        <h3 id="limits-h">Limits</h3>
        <p class="muted">Lower than the node's, for this function alone; a value that is not set is the node's.</p>
        <form class="row" @submit=${this.saveLimits}>
          ${LIMITS.map(
            ([key, label]) => html`<label
              >${label}${f.limits[key].custom ? html` <span class="badge">set</span>` : nothing}
              <input name=${`limit-${key}`} type="number" min="0" step="1" required .value=${String(f.limits[key].value)} style="width: 9rem"
            /></label>`,
          )}
          <button ?disabled=${this.busy}>Save limits</button>
          <button type="button" ?disabled=${this.busy || !LIMITS.some(([key]) => f.limits[key].custom)} @click=${this.resetLimits}>Use the node's</button>
        </form>
      </section>
      <section aria-labelledby="secrets-h">
        <h3 id="secrets-h">Secrets</h3>
        <p class="muted">Read with Deno.env.get(name). Values are sealed on the node and never shown again.</p>
        <ul class="secrets" aria-label="Secrets set">
          ${f.secrets.map((s) => html`<li><span class="mono">${s}</span><button aria-label=${`Remove secret ${s}`} @click=${() => this.act(() => setSecrets(f.name, { [s]: null }), `Secret ${s} removed`)}>×</button></li>`)}
          ${f.secrets.length ? nothing : html`<li class="muted">None</li>`}
        </ul>
        <form class="row" @submit=${this.addSecret}>
          <input name="secret-name" aria-label="Secret name" placeholder="NAME" required pattern="[A-Za-z_][A-Za-z0-9_]*" />
          <input name="secret-value" aria-label="Secret value" type="password" placeholder="value" required autocomplete="off" />
          <button ?disabled=${this.busy}>Set secret</button>
        </form>
      </section>
      <section aria-labelledby="deployments-h">
        <h3 id="deployments-h">Deployments</h3>
        <table>
          <thead><tr><th>Deployment</th><th>Entry</th><th>Size</th><th>Made</th><th></th></tr></thead>
          <tbody>
            ${[...f.deployments].reverse().map(
              (d) => html`<tr>
                <td class="mono">${d.id}</td><td class="mono">${d.entry}</td><td>${d.size} B</td><td>${time(d.created_at)}</td>
                <td>${d.id === f.current ? html`<strong>Current</strong>` : html`<button ?disabled=${this.busy} @click=${() => this.act(() => rollback(f.name, d.id), `Rolled back to ${d.id}`)}>Roll back</button>`}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="log-h">
        <h3 id="log-h">Log</h3>
        <pre class="log" role="log" aria-labelledby="log-h" data-testid="function-log">${this.logs.map(
          (l) => html`<span class=${l.level}><span class="at">${new Date(l.at).toLocaleTimeString()}</span> ${l.message}\n</span>`,
        )}</pre>
      </section>`;
  }
}

customElements.define("pc2-function-details", Pc2FunctionDetails);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-function-details": Pc2FunctionDetails;
  }
}
