// <pc2-wasm-app>: pick a WASM app, give it arguments, stdin and input files, watch its output stream
// in, stop it, and open what it wrote in Files. Admins and the Owner also install and remove apps.
import { LitElement, css, html, svg } from "lit";
import { ContextConsumer } from "@lit/context";
import { RpcError } from "../../api/ws-client.ts";
import { connectionContext } from "../../state/contexts.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";
import "../../ui/pc2-file-picker.ts";
import "./pc2-wasm-install.ts";
import { describeRun, homePath, listApps, removeApp, type RunInput, type RunResult, type WasmApp } from "./wasm-apps-api.ts";

interface Line {
  stream: "stdout" | "stderr";
  text: string;
}

/** A tile with the app's initial, its colour from its name (no emoji: they need a font a machine may lack). */
function appIcon(name: string) {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) % 360;
  const letter = (name.match(/[A-Za-z0-9]/)?.[0] ?? "?").toUpperCase();
  return svg`<svg viewBox="0 0 24 24" width="100%" height="100%" aria-hidden="true"><rect width="24" height="24" rx="5" fill=${`hsl(${h} 55% 38%)`}/><text x="12" y="16.5" text-anchor="middle" font-size="13" font-family="sans-serif" font-weight="700" fill="#fff">${letter}</text></svg>`;
}

export class Pc2WasmApp extends LitElement {
  static override properties = {
    apps: { state: true },
    selected: { state: true },
    inputs: { state: true },
    lines: { state: true },
    result: { state: true },
    running: { state: true },
    picking: { state: true },
    installing: { state: true },
    problem: { state: true },
  };
  apps: WasmApp[] = [];
  selected: WasmApp | null = null;
  inputs: string[] = [];
  lines: Line[] = [];
  result: RunResult | null = null;
  running = false;
  picking = false;
  installing = false;
  problem: string | null = null;
  private readonly connection = new ContextConsumer(this, { context: connectionContext });
  private stopper: AbortController | null = null;

  static override styles = [
    sharedStyles,
    css`
      :host { display: grid; grid-template-columns: minmax(10rem, 14rem) minmax(0, 1fr); height: 100%; overflow: hidden; }
      nav { border-right: 1px solid var(--pc2-border); overflow: auto; padding: 0.5rem; display: flex; flex-direction: column; gap: 0.3rem; }
      nav button.app { text-align: left; display: grid; grid-template-columns: 1.6rem 1fr; gap: 0.4rem; align-items: center; }
      .mono-icon { width: 1.5rem; height: 1.5rem; display: inline-block; }
      h2.title { display: flex; gap: 0.5rem; align-items: center; margin: 0; }
      /* Run and Stop stay in sight however long the form is. */
      .actions { position: sticky; bottom: -0.8rem; background: var(--pc2-card); padding: 0.5rem 0; border-top: 1px solid var(--pc2-border); z-index: 1; }
      nav button.app[aria-pressed="true"] { border-color: var(--pc2-accent); }
      main { overflow: auto; padding: 0.8rem; display: grid; gap: 0.6rem; align-content: start; }
      label { display: grid; gap: 0.2rem; }
      .row { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; }
      pre { margin: 0; background: #0b0f18; color: #dfe6f2; border-radius: 8px; padding: 0.6rem; min-height: 5rem; max-height: 16rem; overflow: auto; white-space: pre-wrap; }
      pre .stderr { color: #ff8f8f; }
      .chip { background: var(--pc2-card-2); border: 1px solid var(--pc2-border); border-radius: 999px; padding: 0.1rem 0.2rem 0.1rem 0.6rem; }
      .chip button { padding: 0 0.4rem; border: 0; background: none; }
      @media (max-width: 600px) { :host { grid-template-columns: minmax(0, 1fr); grid-template-rows: auto 1fr; } nav { border-right: 0; border-bottom: 1px solid var(--pc2-border); max-height: 10rem; } }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopper?.abort();
  }

  private async refresh(select?: string): Promise<void> {
    try {
      this.apps = await listApps();
      this.choose(this.apps.find((a) => a.name === (select ?? this.selected?.name)) ?? this.apps[0] ?? null);
    } catch (err) {
      this.problem = (err as Error).message;
    }
  }

  private choose(app: WasmApp | null): void {
    if (app !== this.selected) (this.lines = []), (this.result = null);
    this.selected = app;
    this.installing = false;
  }

  private field(name: string): string {
    return (this.renderRoot.querySelector(`[name="${name}"]`) as HTMLInputElement | HTMLTextAreaElement | null)?.value ?? "";
  }

  private args(app: WasmApp): string[] {
    if (app.args.length === 0) return this.field("free-args").split(/\s+/).filter(Boolean);
    return app.args.map((a) => this.field(`arg-${a.name}`)).filter((v, i) => v !== "" || app.args[i]!.required);
  }

  private async run(): Promise<void> {
    const app = this.selected;
    if (!app || this.running) return;
    this.running = true;
    this.lines = [];
    this.result = null;
    this.problem = null;
    this.stopper = new AbortController();
    try {
      const ws = this.connection.value;
      if (!ws) throw new Error("not connected to the node");
      const output = this.field("output").trim();
      this.result = await ws.call<RunResult>(
        "wasm.run",
        {
          app: app.name,
          args: this.args(app),
          stdin: this.field("stdin"),
          files: this.inputs.length ? this.inputs : undefined,
          output: output || undefined,
          timeoutMs: Number(this.field("timeout") || 10) * 1000,
        } satisfies RunInput,
        // This run's output only: another window may be running an app over the same connection.
        { signal: this.stopper.signal, onNotification: (method, p) => void (method === "wasm.output" && (this.lines = [...this.lines, p as Line])) },
      );
    } catch (err) {
      this.problem = err instanceof RpcError ? err.message : `The run could not start: ${(err as Error).message}`;
    } finally {
      this.running = false;
    }
  }

  private async uninstall(app: WasmApp): Promise<void> {
    if (!confirm(`Remove ${app.name}?`)) return;
    try {
      await removeApp(app.name);
      this.selected = null;
      await this.refresh();
    } catch (err) {
      this.problem = (err as Error).message;
    }
  }

  private showOutputs(): void {
    const first = this.result?.outputs[0];
    if (!first) return;
    const folder = homePath(first.path.slice(0, first.path.lastIndexOf("/")));
    this.dispatchEvent(new CustomEvent("open-folder", { detail: folder, bubbles: true, composed: true }));
  }

  private renderForm(app: WasmApp) {
    return html`<h2 class="title"><span class="mono-icon">${appIcon(app.name)}</span>${app.name}</h2>
      <p class="muted">${app.description}</p>
      ${
        app.args.length
          ? app.args.map(
              (a) =>
                html`<label>${a.label}${a.required ? " *" : ""} <input name=${`arg-${a.name}`} .value=${a.default ?? ""} ?required=${a.required} inputmode=${a.type === "number" ? "decimal" : "text"} /></label>`,
            )
          : html`<label>Arguments <input name="free-args" placeholder="separated by spaces" /></label>`
      }
      <label>Standard input <textarea name="stdin" rows="3"></textarea></label>
      <div class="row" aria-label="Input files">
        <span>Input files (at /input):</span>
        ${this.inputs.map((p) => html`<span class="chip mono">${p}<button aria-label=${`Remove ${p}`} @click=${() => (this.inputs = this.inputs.filter((x) => x !== p))}>×</button></span>`)}
        <button @click=${() => (this.picking = !this.picking)}>${this.picking ? "Close" : "Choose files…"}</button>
      </div>
      ${this.picking ? html`<pc2-file-picker @pick=${(e: CustomEvent<string[]>) => ((this.inputs = [...new Set([...this.inputs, ...e.detail])]), (this.picking = false))} @cancel=${() => (this.picking = false)}></pc2-file-picker>` : ""}
      <div class="row">
        <label>Output folder <input name="output" placeholder="~/Documents/WASM output/…" /></label>
        <label>Time limit (s) <input name="timeout" type="number" min="1" max="60" value="10" style="width: 6rem" /></label>
      </div>
      <div class="row actions">
        <button class="primary" ?disabled=${this.running} @click=${this.run}>${this.running ? "Running…" : "Run"}</button>
        <button ?disabled=${!this.running} @click=${() => this.stopper?.abort()}>Stop</button>
        ${app.builtin ? "" : html`<button @click=${() => this.uninstall(app)}>Remove app</button>`}
      </div>
      <pre data-testid="wasm-output" aria-live="polite">${this.lines.map((l) => html`<span class=${l.stream}>${l.text}</span>`)}</pre>
      ${
        this.result
          ? html`<p role="status">${describeRun(this.result)}</p>
            ${
              this.result.outputs.length
                ? html`<div class="row">
                  <span>Saved: ${this.result.outputs.map((o) => html`<span class="mono">${o.name}</span> `)}</span>
                  <button @click=${this.showOutputs}>Show in Files</button>
                </div>`
                : ""
            }`
          : ""
      }`;
  }

  override render() {
    return html`<nav aria-label="WASM apps">
        ${this.apps.map((a) => html`<button class="app" aria-pressed=${String(a === this.selected && !this.installing)} @click=${() => this.choose(a)}><span class="mono-icon">${appIcon(a.name)}</span><span>${a.name}</span></button>`)}
        <button @click=${() => (this.installing = true)}>+ Install app…</button>
      </nav>
      <main>
        ${this.problem ? html`<p role="alert" class="error">${this.problem}</p>` : ""}
        ${
          this.installing
            ? html`<h2>Install a WASM app</h2><pc2-wasm-install @installed=${(e: CustomEvent<WasmApp>) => this.refresh(e.detail.name)}></pc2-wasm-install>`
            : this.selected
              ? this.renderForm(this.selected)
              : html`<p class="muted">No apps yet.</p>`
        }
      </main>`;
  }
}

customElements.define("pc2-wasm-app", Pc2WasmApp);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-wasm-app": Pc2WasmApp;
  }
}
