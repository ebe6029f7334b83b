// <pc2-ai-settings>: the AI tab of Settings. Everyone: their own cloud connections (OpenAI-compatible
// base URL + API key; the key is never shown again). Admins and the Owner: the Ollama server, and
// pulling (with progress) and deleting its models.
import { pullModel } from "../ai/ai-api.ts";
import { LitElement, css, html, nothing } from "lit";
import { api, type User } from "../../api/rest-client.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";

interface Connection {
  name: string;
  baseUrl: string;
}

export class Pc2AiSettings extends LitElement {
  static override properties = { user: { attribute: false }, connections: { state: true }, ollama: { state: true }, models: { state: true }, progress: { state: true }, message: { state: true } };
  user: User | null = null;
  connections: Connection[] = [];
  ollama: { host: string; hasToken: boolean } | null = null;
  models: string[] = [];
  progress: string | null = null;
  message: { text: string; error: boolean } | null = null;

  static override styles = [
    sharedStyles,
    css`form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; margin: 0.5rem 0; } label { display: grid; gap: 0.2rem; } table { border-collapse: collapse; } td { padding: 0.25rem 0.5rem; }`,
  ];

  private get isAdmin(): boolean {
    return this.user?.role === "owner" || this.user?.role === "admin";
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.connections = (await api.get<{ connections: Connection[] }>("/api/ai/cloud")).connections;
      this.models = (await api.get<{ models: { id: string }[] }>("/api/ai/models")).models.map((m) => m.id).filter((id) => id.startsWith("ollama/"));
      if (this.isAdmin) this.ollama = await api.get<{ host: string; hasToken: boolean }>("/api/ai/ollama");
    } catch (err) {
      this.message = { text: (err as Error).message, error: true };
    }
  }

  private async act(work: () => Promise<unknown>, done: string): Promise<void> {
    try {
      await work();
      this.message = { text: done, error: false };
      await this.load();
    } catch (err) {
      this.message = { text: (err as Error).message, error: true };
    }
  }

  private submit(e: SubmitEvent, work: (data: FormData) => Promise<unknown>, done: string): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    return this.act(async () => (await work(new FormData(form)), form.reset()), done);
  }

  /** Pull a model through the node, showing Ollama's progress lines as they come. */
  private async pull(model: string): Promise<void> {
    await pullModel(model, (p) => (this.progress = `${p.status}${p.total ? ` ${Math.round(((p.completed ?? 0) / p.total) * 100)}%` : ""}`));
    this.progress = null;
  }

  override render() {
    return html`${this.message ? html`<p role=${this.message.error ? "alert" : "status"} class=${this.message.error ? "error" : "muted"}>${this.message.text}</p>` : nothing}
      <h2>Cloud AI (OpenAI-compatible)</h2>
      <p class="muted">Your key is stored encrypted, used only for your own chats, and never shown again.</p>
      <form aria-label="Add a cloud connection" @submit=${(e: SubmitEvent) => this.submit(e, (d) => api.post("/api/ai/cloud", { name: d.get("name"), baseUrl: d.get("baseUrl"), apiKey: d.get("apiKey") }), "Connection saved.")}>
        <label>Name <input name="name" required pattern="[a-z0-9][a-z0-9\\-]{0,31}" placeholder="openai" /></label>
        <label>Base URL <input name="baseUrl" required type="url" placeholder="https://api.openai.com/v1" /></label>
        <label>API key <input name="apiKey" required type="password" autocomplete="off" /></label>
        <button class="primary">Add</button>
      </form>
      <table><tbody>${this.connections.map((c) => html`<tr><td>${c.name}</td><td class="mono">${c.baseUrl}</td><td><button @click=${() => this.act(() => api.send("DELETE", `/api/ai/cloud/${c.name}`), "Connection removed.")}>Remove</button></td></tr>`)}</tbody></table>
      ${
        this.isAdmin && this.ollama
          ? html`<h2>Ollama</h2>
            <form aria-label="Ollama server" @submit=${(e: SubmitEvent) => this.submit(e, (d) => api.send("PUT", "/api/ai/ollama", { host: d.get("host"), ...(d.get("token") ? { token: d.get("token") } : {}) }), "Ollama server saved.")}>
              <label>URL <input name="host" required type="url" .value=${this.ollama.host} /></label>
              <label>Token (optional) <input name="token" type="password" autocomplete="off" placeholder=${this.ollama.hasToken ? "saved" : ""} /></label>
              <button class="primary">Save</button>
            </form>
            <form aria-label="Pull a model" @submit=${(e: SubmitEvent) => this.submit(e, (d) => this.pull(String(d.get("model"))), "Model pulled.")}>
              <label>Model <input name="model" required placeholder="llama3.2:1b" /></label>
              <button class="primary">Pull</button>
              ${this.progress ? html`<span role="status">${this.progress}</span>` : nothing}
            </form>
            <table><tbody>${this.models.map((m) => html`<tr><td class="mono">${m}</td><td><button @click=${() => this.act(() => api.post("/api/ai/models/delete", { model: m }), "Model deleted.")}>Delete</button></td></tr>`)}</tbody></table>`
          : nothing
      }`;
  }
}

customElements.define("pc2-ai-settings", Pc2AiSettings);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-ai-settings": Pc2AiSettings;
  }
}
