// <pc2-functions-app>: the caller's edge functions — the list, a new one from a template (its source
// in ~/Functions/<name>, deployed from there), and the chosen one's details (pc2-function-details).
import { LitElement, css, html, nothing } from "lit";
import { sharedStyles } from "../../ui/shared-styles.ts";
import { createFunction, type FunctionInfo, listFunctions, sourceFolder } from "./functions-api.ts";
import "./pc2-function-details.ts";
import { TEMPLATES } from "./templates.ts";

const NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export class Pc2FunctionsApp extends LitElement {
  static override properties = {
    isOwner: { type: Boolean, attribute: "is-owner" },
    functions: { state: true },
    selected: { state: true },
    creating: { state: true },
    busy: { state: true },
    problem: { state: true },
    unavailable: { state: true },
    domain: { state: true },
  };
  isOwner = false;
  functions: FunctionInfo[] = [];
  selected: string | null = null;
  creating = false;
  busy = false;
  problem: string | null = null;
  /** Why functions cannot run on this node (no sandbox), or null. */
  unavailable: string | null = null;
  /** The node's functions domain (a function may have a host name under it), or null. */
  domain: string | null = null;

  static override styles = [
    sharedStyles,
    css`
      :host { display: grid; grid-template-columns: minmax(10rem, 14rem) minmax(0, 1fr); height: 100%; overflow: hidden; }
      nav { border-right: 1px solid var(--pc2-border); overflow: auto; padding: 0.5rem; display: flex; flex-direction: column; gap: 0.3rem; }
      nav button.fn { text-align: left; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      nav button.fn[aria-pressed="true"] { border-color: var(--pc2-accent); }
      nav button.fn .state { font-size: 0.75rem; }
      main { overflow: auto; padding: 0.8rem; }
      form { display: grid; gap: 0.6rem; max-width: 32rem; }
      label { display: grid; gap: 0.2rem; }
      @media (max-width: 600px) { :host { grid-template-columns: minmax(0, 1fr); grid-template-rows: auto 1fr; } nav { border-right: 0; border-bottom: 1px solid var(--pc2-border); max-height: 10rem; } }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  private async refresh(select?: string | null): Promise<void> {
    try {
      const listed = await listFunctions();
      this.functions = listed.functions;
      this.unavailable = listed.available ? null : listed.reason;
      this.domain = listed.domain;
      const wanted = select === undefined ? this.selected : select;
      this.selected = this.functions.some((f) => f.name === wanted) ? wanted : (this.functions[0]?.name ?? null);
      this.creating = this.functions.length === 0;
    } catch (err) {
      this.problem = (err as Error).message;
    }
  }

  private field(name: string): string {
    return (this.renderRoot.querySelector(`[name="${name}"]`) as HTMLInputElement | HTMLSelectElement | null)?.value ?? "";
  }

  private async create(e: Event): Promise<void> {
    e.preventDefault();
    const name = this.field("name").trim();
    const template = TEMPLATES.find((t) => t.id === this.field("template")) ?? TEMPLATES[0]!;
    if (!NAME.test(name)) {
      this.problem = "A name is lower-case letters, digits and dashes (it is part of the address), up to 63 characters";
      return;
    }
    if (this.functions.some((f) => f.name === name)) {
      this.problem = `You already have a function named ${name}`;
      return;
    }
    this.busy = true;
    this.problem = null;
    try {
      const made = await createFunction(name, template.code, this.field("visibility") === "public" ? "public" : "private");
      if (made.startError) this.problem = `Created, but it did not start: ${made.startError}`;
      await this.refresh(name);
    } catch (err) {
      this.problem = (err as Error).message;
    } finally {
      this.busy = false;
    }
  }

  private changed(e: CustomEvent<FunctionInfo>): void {
    this.functions = this.functions.map((f) => (f.name === e.detail.name ? e.detail : f));
  }

  private renderNew() {
    return html`<h2>New function</h2>
      <p class="muted">A web handler written for Deno (export default { fetch } or Deno.serve), run by this node in its own sandbox.
        Its source goes to <span class="mono">${sourceFolder("<name>")}</span>, where you can edit it and deploy again.</p>
      <form @submit=${this.create}>
        <label>Name <input name="name" required autocomplete="off" spellcheck="false" placeholder="my-api" /></label>
        <label>Start from
          <select name="template">${TEMPLATES.map((t) => html`<option value=${t.id}>${t.title}</option>`)}</select>
        </label>
        <label>Who may call it
          <select name="visibility"><option value="private">People signed in to this node</option><option value="public">Anyone who can reach this node</option></select>
        </label>
        <div><button class="primary" ?disabled=${this.busy || this.unavailable !== null}>${this.busy ? "Creating…" : "Create and deploy"}</button></div>
      </form>`;
  }

  override render() {
    const chosen = this.functions.find((f) => f.name === this.selected);
    return html`<nav aria-label="Functions">
        ${this.functions.map(
          (f) => html`<button class="fn" aria-pressed=${String(f.name === this.selected && !this.creating)} @click=${() => ((this.selected = f.name), (this.creating = false), (this.problem = null))}>
            <span class="mono">${f.name}</span> <span class="state muted">${f.disabled ? "disabled" : f.visibility}</span>
          </button>`,
        )}
        <button @click=${() => ((this.creating = true), (this.problem = null))}>+ New function</button>
      </nav>
      <main>
        ${this.unavailable ? html`<p role="alert" class="error">Functions cannot run on this node: ${this.unavailable}</p>` : nothing}
        ${this.problem ? html`<p role="alert" class="error">${this.problem}</p>` : nothing}
        ${
          this.creating || !chosen
            ? this.renderNew()
            : html`<pc2-function-details .fn=${chosen} .domain=${this.domain} ?is-owner=${this.isOwner} @function-changed=${this.changed} @function-deleted=${() => this.refresh(null)}></pc2-function-details>`
        }
      </main>`;
  }
}

customElements.define("pc2-functions-app", Pc2FunctionsApp);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-functions-app": Pc2FunctionsApp;
  }
}
