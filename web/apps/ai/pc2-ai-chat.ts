// <pc2-ai-chat>: chat with the node's AI. Conversations on the left (new, rename, delete); the
// reply streams in as Markdown; Stop ends the generation upstream; a model picker; the user's own
// files can be attached to a message.
import { LitElement, css, html } from "lit";
import { ContextConsumer } from "@lit/context";
import { RpcError } from "../../api/ws-client.ts";
import { connectionContext } from "../../state/contexts.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";
import "../../ui/pc2-file-picker.ts";
import "./pc2-markdown.ts";
import { deleteConversation, listConversations, listModels, openConversation, renameConversation, sendMessage, type Conversation, type Message, type Model } from "./ai-api.ts";

export class Pc2AiChat extends LitElement {
  static override properties = {
    models: { state: true },
    model: { state: true },
    conversations: { state: true },
    current: { state: true },
    messages: { state: true },
    attachments: { state: true },
    picking: { state: true },
    generating: { state: true },
    problem: { state: true },
    notice: { state: true },
  };
  models: Model[] = [];
  model = "";
  conversations: Conversation[] = [];
  current: string | null = null;
  messages: Message[] = [];
  attachments: string[] = [];
  picking = false;
  generating = false;
  problem: string | null = null;
  notice: string | null = null;
  private readonly connection = new ContextConsumer(this, { context: connectionContext });
  private stopper: AbortController | null = null;

  static override styles = [
    sharedStyles,
    css`
      :host { display: grid; grid-template-columns: minmax(10rem, 13rem) minmax(0, 1fr); height: 100%; overflow: hidden; }
      nav { border-right: 1px solid var(--pc2-border); display: flex; flex-direction: column; gap: 0.3rem; padding: 0.5rem; overflow: auto; }
      nav .conv { display: flex; gap: 0.2rem; }
      nav .conv button.open { flex: 1; text-align: left; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      nav .conv button[aria-current="true"] { border-color: var(--pc2-accent); }
      nav .conv button.small { padding: 0.2rem 0.45rem; }
      main { display: grid; grid-template-rows: auto 1fr auto; overflow: hidden; min-width: 0; }
      header { display: flex; gap: 0.5rem; align-items: center; padding: 0.5rem; border-bottom: 1px solid var(--pc2-border); }
      select { font: inherit; color: var(--pc2-fg); background: var(--pc2-bg); border: 1px solid var(--pc2-border); border-radius: 8px; padding: 0.4rem; max-width: 100%; min-width: 0; flex: 0 1 auto; }
      .log { overflow: auto; padding: 0.7rem; display: flex; flex-direction: column; gap: 0.6rem; }
      .msg { max-width: 85%; padding: 0.5rem 0.7rem; border-radius: 10px; }
      .msg.user { align-self: flex-end; background: var(--pc2-accent-strong); color: #fff; white-space: pre-wrap; }
      .msg.assistant { align-self: flex-start; background: var(--pc2-card-2); }
      .msg .meta { font-size: 0.8em; opacity: 0.75; }
      form { display: grid; gap: 0.4rem; padding: 0.5rem; border-top: 1px solid var(--pc2-border); }
      .row { display: flex; gap: 0.4rem; align-items: center; flex-wrap: wrap; }
      textarea { resize: vertical; min-height: 3rem; }
      .chip { background: var(--pc2-card-2); border: 1px solid var(--pc2-border); border-radius: 999px; padding: 0.1rem 0.2rem 0.1rem 0.6rem; }
      .chip button { padding: 0 0.4rem; border: 0; background: none; }
      @media (max-width: 600px) { :host { grid-template-columns: minmax(0, 1fr); grid-template-rows: auto 1fr; } nav { max-height: 8rem; border-right: 0; border-bottom: 1px solid var(--pc2-border); } }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopper?.abort();
  }

  private async load(): Promise<void> {
    try {
      const [m, conversations] = await Promise.all([listModels(), listConversations()]);
      this.models = m.models;
      this.model = this.model || m.default || "";
      this.conversations = conversations;
      this.notice = m.unavailable.length ? m.unavailable.map((u) => u.message).join(" · ") : null;
    } catch (err) {
      this.problem = (err as Error).message;
    }
  }

  private async open(c: Conversation | null): Promise<void> {
    if (this.generating) return;
    this.current = c?.id ?? null;
    this.messages = [];
    this.problem = null;
    if (!c) return;
    try {
      const full = await openConversation(c.id);
      this.messages = full.messages;
      if (this.models.some((m) => m.id === full.model)) this.model = full.model;
    } catch (err) {
      this.problem = (err as Error).message;
    }
  }

  private async rename(c: Conversation): Promise<void> {
    const title = prompt("Rename the conversation", c.title);
    if (!title?.trim()) return;
    await renameConversation(c.id, title.trim()).catch((err: Error) => (this.problem = err.message));
    this.conversations = await listConversations();
  }

  private async removeConversation(c: Conversation): Promise<void> {
    if (!confirm(`Delete "${c.title}"?`)) return;
    await deleteConversation(c.id).catch((err: Error) => (this.problem = err.message));
    if (this.current === c.id) await this.open(null);
    this.conversations = await listConversations();
  }

  private async send(e: Event): Promise<void> {
    e.preventDefault();
    const box = this.renderRoot.querySelector("textarea") as HTMLTextAreaElement;
    const text = box.value.trim();
    if (!text || this.generating || !this.model) return;
    box.value = "";
    const attachments = this.attachments;
    this.attachments = [];
    this.problem = null;
    this.generating = true;
    this.messages = [...this.messages, { role: "user", content: text, attachments: attachments.map((p) => ({ name: p.slice(p.lastIndexOf("/") + 1) })) }, { role: "assistant", content: "" }];
    this.stopper = new AbortController();
    try {
      const connection = this.connection.value;
      if (!connection) throw new Error("not connected to the node");
      const reply = await sendMessage(
        connection,
        { conversationId: this.current ?? undefined, model: this.model, message: text, attachments: attachments.length ? attachments : undefined },
        (id) => (this.current = id),
        (piece) => {
          const last = this.messages.at(-1)!;
          this.messages = [...this.messages.slice(0, -1), { ...last, content: last.content + piece }];
        },
        this.stopper.signal,
      );
      this.messages = [...this.messages.slice(0, -1), { role: "assistant", content: reply.message.content, stopReason: reply.reason }];
    } catch (err) {
      this.problem = err instanceof RpcError ? err.message : `The message could not be sent: ${(err as Error).message}`;
      this.messages = this.messages.at(-1)?.content === "" ? this.messages.slice(0, -1) : this.messages;
    } finally {
      this.generating = false;
      this.conversations = await listConversations().catch(() => this.conversations);
    }
  }

  private keydown(e: KeyboardEvent): void {
    // Enter sends; Shift+Enter is a new line.
    if (e.key === "Enter" && !e.shiftKey) void this.send(e);
  }

  override updated(): void {
    const log = this.renderRoot.querySelector(".log");
    if (log) log.scrollTop = log.scrollHeight;
  }

  private renderMessage(m: Message) {
    const note = m.stopReason === "cancelled" ? "stopped" : m.stopReason === "length" ? "cut at the length limit" : m.stopReason === "timeout" ? "stopped at the time limit" : "";
    return m.role === "user"
      ? html`<div class="msg user">${m.content}${m.attachments?.length ? html`<div class="meta">Attached: ${m.attachments.map((a) => a.name).join(", ")}</div>` : ""}</div>`
      : html`<div class="msg assistant" data-testid="assistant-message"><pc2-markdown .text=${m.content || (this.generating ? "…" : "")}></pc2-markdown>${note ? html`<div class="meta">(${note})</div>` : ""}</div>`;
  }

  override render() {
    return html`<nav aria-label="Conversations">
        <button class="primary" @click=${() => this.open(null)}>+ New chat</button>
        ${this.conversations.map(
          (c) => html`<div class="conv">
            <button class="open" aria-current=${String(c.id === this.current)} title=${c.title} @click=${() => this.open(c)}>${c.title}</button>
            <button class="small" aria-label=${`Rename ${c.title}`} @click=${() => this.rename(c)}>✎</button>
            <button class="small" aria-label=${`Delete ${c.title}`} @click=${() => this.removeConversation(c)}>×</button>
          </div>`,
        )}
      </nav>
      <main>
        <header>
          <label>Model
            <select aria-label="Model" .value=${this.model} @change=${(e: Event) => (this.model = (e.target as HTMLSelectElement).value)}>
              ${this.models.length === 0 ? html`<option value="">No models: add a .gguf to data/models, run Ollama, or connect a cloud provider</option>` : ""}
              ${this.models.map((m) => html`<option value=${m.id} ?selected=${m.id === this.model}>${m.id}</option>`)}
            </select>
          </label>
          ${this.notice ? html`<span class="muted" title=${this.notice}>Some providers are unavailable</span>` : ""}
        </header>
        <div class="log" role="log" aria-live="polite">
          ${this.messages.length === 0 ? html`<p class="muted">Ask anything. Replies stay on this node (unless you pick a cloud model).</p>` : this.messages.map((m) => this.renderMessage(m))}
          ${this.problem ? html`<p role="alert" class="error">${this.problem}</p>` : ""}
        </div>
        <form @submit=${this.send}>
          ${
            this.attachments.length
              ? html`<div class="row" aria-label="Attached files">${this.attachments.map((p) => html`<span class="chip mono">${p}<button type="button" aria-label=${`Remove ${p}`} @click=${() => (this.attachments = this.attachments.filter((x) => x !== p))}>×</button></span>`)}</div>`
              : ""
          }
          ${this.picking ? html`<pc2-file-picker @pick=${(e: CustomEvent<string[]>) => ((this.attachments = [...new Set([...this.attachments, ...e.detail])]), (this.picking = false))} @cancel=${() => (this.picking = false)}></pc2-file-picker>` : ""}
          <textarea aria-label="Message" placeholder="Message (Enter to send, Shift+Enter for a new line)" @keydown=${this.keydown}></textarea>
          <div class="row">
            <button type="button" @click=${() => (this.picking = !this.picking)}>${this.picking ? "Close" : "Attach files…"}</button>
            <span style="flex: 1"></span>
            ${this.generating ? html`<button type="button" @click=${() => this.stopper?.abort()}>Stop</button>` : ""}
            <button class="primary" ?disabled=${this.generating || !this.model}>Send</button>
          </div>
        </form>
      </main>`;
  }
}

customElements.define("pc2-ai-chat", Pc2AiChat);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-ai-chat": Pc2AiChat;
  }
}
