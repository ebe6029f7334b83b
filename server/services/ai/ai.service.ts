// AI: route a chat to its provider by model id ("local/…", "ollama/…", "cloud/<connection>/…"),
// keep each wallet's conversations, and attach the caller's own files to a turn.
import type { EventBus } from "../../events.ts";
import { randomUUID } from "node:crypto";
import { transaction, type Database } from "../../db/database.ts";
import { AppError, fail, NotFoundError, ValidationError } from "../../errors.ts";
import type { FilesService } from "../files/files.service.ts";
import type { SendBody } from "./ai.schemas.ts";
import type { AiRepository, ConversationRow, MessageRow } from "./ai.repository.ts";
import type { AiProvider, ChatTurn, Generation, ModelInfo, ProviderId } from "./provider.ts";

const MAX_ATTACHMENTS = 8;
const MAX_ATTACHMENT_BYTES = 256 * 1024;
/** All attachments of one turn together. */
const MAX_ATTACHMENTS_TOTAL_BYTES = 1024 * 1024;

export interface ChatInput {
  model: string;
  messages: ChatTurn[];
  maxTokens: number;
  temperature: number;
}

export interface ConversationReply {
  conversationId: string;
  message: { role: "assistant"; content: string };
  model: string;
  reason: Generation["reason"];
  usage: { promptTokens: number; tokens: number };
}

export class AiService {
  private readonly providers: Map<ProviderId, AiProvider>;

  constructor(
    private readonly db: Database,
    readonly repo: AiRepository,
    private readonly files: FilesService,
    providers: AiProvider[],
    readonly limits: { maxTokens: number },
    /** Where each finished generation is told (the node's metrics). */
    private readonly events: EventBus | null = null,
  ) {
    this.providers = new Map(providers.map((p) => [p.id, p]));
  }

  provider<T extends AiProvider>(id: ProviderId): T {
    return this.providers.get(id) as T;
  }

  /** Every model `owner` can use, and which providers could not be asked (e.g. Ollama not running). */
  async models(owner: string, except?: ProviderId): Promise<{ models: ModelInfo[]; unavailable: { provider: ProviderId; message: string }[]; default: string | null }> {
    const unavailable: { provider: ProviderId; message: string }[] = [];
    const lists = await Promise.all(
      [...this.providers.values()]
        .filter((p) => p.id !== except)
        .map((p) =>
          p.models(owner).catch((err: unknown) => {
            unavailable.push({ provider: p.id, message: err instanceof Error ? err.message : String(err) });
            return [] as ModelInfo[];
          }),
        ),
    );
    const models = lists.flat();
    return { models, unavailable, default: this.defaultModel(owner, models) };
  }

  /**
   * The model a chat that names none uses: the wallet's choice, else the first built-in model,
   * else the first of the wallet's own cloud connections. Never, implicitly, the node's Ollama
   * server: an Admin who points it elsewhere must not receive everyone's prompts. Asks the
   * network-bound providers only when nothing local will do.
   */
  async defaultFor(owner: string): Promise<string | null> {
    const chosen = this.repo.defaultModel(owner);
    if (chosen) return chosen;
    const local =
      (await this.providers
        .get("local")
        ?.models(owner)
        .catch(() => [])) ?? [];
    return local[0]?.id ?? (await this.models(owner)).default;
  }

  private defaultModel(owner: string, models: ModelInfo[]): string | null {
    const chosen = this.repo.defaultModel(owner);
    return chosen ?? models.find((m) => m.provider === "local")?.id ?? models.find((m) => m.provider === "cloud")?.id ?? null;
  }

  async setDefault(owner: string, id: string): Promise<void> {
    const { models } = await this.models(owner);
    if (!models.some((m) => m.id === id)) throw new NotFoundError(`No model ${id.slice(0, 100)}`, "model_not_found");
    this.repo.setDefaultModel(owner, id);
  }

  /** Route `model` for `owner` and fail now if its provider already knows it has no such model. */
  check(owner: string, model: string, except?: ProviderId): void {
    const { provider, name } = this.route(model, except);
    provider.check?.(owner, name);
  }

  /** The provider and its own name for a model id (never `except`'s). */
  route(model: string, except?: ProviderId): { provider: AiProvider; name: string } {
    const slash = model.indexOf("/");
    const id = model.slice(0, slash) as ProviderId;
    const provider = slash > 0 && id !== except ? this.providers.get(id) : undefined;
    if (!provider || slash === model.length - 1) throw new NotFoundError(`No model ${model.slice(0, 100)}; models are named local/…, ollama/… or cloud/…`, "model_not_found");
    return { provider, name: model.slice(slash + 1) };
  }

  /** Validated generation settings from a request. */
  settings(input: Record<string, unknown>): { maxTokens: number; temperature: number } {
    const maxTokens = input.maxTokens ?? this.limits.maxTokens;
    if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > this.limits.maxTokens)
      throw new ValidationError(`maxTokens must be a whole number from 1 to ${this.limits.maxTokens}`, { field: "maxTokens" });
    const temperature = input.temperature ?? 0.7;
    if (typeof temperature !== "number" || !(temperature >= 0 && temperature <= 2)) throw new ValidationError("temperature must be from 0 to 2", { field: "temperature" });
    return { maxTokens, temperature };
  }

  /** One generation, streamed to `onToken`; a cancelled signal stops it upstream. */
  async generate(owner: string, input: ChatInput, onToken: (t: string) => void, signal?: AbortSignal, except?: ProviderId): Promise<Generation> {
    const { provider, name } = this.route(input.model, except);
    const started = performance.now();
    let outcome = "error";
    try {
      const generation = await provider.chat(owner, name, input.messages, { maxTokens: input.maxTokens, temperature: input.temperature, onToken, signal });
      outcome = generation.reason === "cancelled" ? "cancelled" : "ok";
      return generation;
    } catch (err) {
      if (signal?.aborted && !(err instanceof AppError)) {
        outcome = "cancelled";
        return { text: "", promptTokens: 0, tokens: 0, reason: "cancelled" };
      }
      throw err;
    } finally {
      this.events?.emit("ai.finished", { provider: provider.id, ms: performance.now() - started, outcome });
    }
  }

  /** A raw completion (local and Ollama's /api/generate); other providers get it as one user turn. */
  async complete(
    owner: string,
    model: string,
    prompt: string,
    settings: { maxTokens: number; temperature: number },
    onToken: (t: string) => void,
    signal?: AbortSignal,
    except?: ProviderId,
  ): Promise<Generation> {
    const { provider, name } = this.route(model, except);
    if (!provider.complete) return this.generate(owner, { model, messages: [{ role: "user", content: prompt }], ...settings }, onToken, signal, except);
    return provider.complete(owner, name, prompt, { ...settings, onToken, signal });
  }

  // ---- conversations --------------------------------------------------------------------------

  listConversations(owner: string) {
    return this.repo.conversations(owner).map(conversationView);
  }

  openConversation(owner: string, id: string) {
    const row = this.conversationRow(owner, id);
    return { ...conversationView(row), messages: this.repo.messages(row.id).map(messageView) };
  }

  renameConversation(owner: string, id: string, title: string): void {
    const row = this.conversationRow(owner, id);
    this.repo.rename(owner, row.id, title.trim() || "Untitled");
  }

  deleteConversation(owner: string, id: string): void {
    this.repo.deleteConversation(owner, this.conversationRow(owner, id).id);
  }

  private conversationRow(owner: string, id: string): ConversationRow {
    const row = this.repo.conversation(owner, id);
    if (!row) throw new NotFoundError("No such conversation", "conversation_not_found");
    return row;
  }

  /** The caller's own text files, as context for a turn. */
  private async attachments(owner: string, paths: readonly string[] | undefined): Promise<{ path: string; name: string; size: number; text: string }[]> {
    if (paths === undefined) return [];
    if (paths.length > MAX_ATTACHMENTS) throw new ValidationError(`attachments must be a list of at most ${MAX_ATTACHMENTS} file paths`, { field: "attachments" });
    const out = [];
    const seen = new Set<string>();
    let total = 0;
    for (const path of paths) {
      const entry = this.files.find(owner, { path });
      if (seen.has(entry.uid)) throw new ValidationError(`${entry.name} is attached twice`, { field: "attachments" });
      seen.add(entry.uid);
      total += entry.size ?? 0;
      if (total > MAX_ATTACHMENTS_TOTAL_BYTES) throw fail("attachment_too_large", `Attachments of one message are at most ${MAX_ATTACHMENTS_TOTAL_BYTES / 1024} KiB together`);
      if (entry.is_dir || !entry.blob) throw fail("is_a_directory", `${entry.name} is a folder; attach files`);
      if ((entry.size ?? 0) > MAX_ATTACHMENT_BYTES) throw fail("attachment_too_large", `${entry.name} is larger than ${MAX_ATTACHMENT_BYTES / 1024} KiB`);
      const bytes = new Uint8Array(await this.files.blob(owner, entry).arrayBuffer());
      let content: string;
      try {
        content = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        throw fail("attachment_not_text", `${entry.name} is not a text file`);
      }
      out.push({ path, name: entry.name, size: bytes.length, text: content });
    }
    return out;
  }

  /**
   * Send `message` in a conversation (a new one when `conversationId` is absent): the history goes
   * to the model, the reply streams to `onToken`, and both turns are saved — a stopped reply too.
   */
  async send(
    owner: string,
    input: SendBody,
    { onToken, signal, onStart }: { onToken: (t: string) => void; signal?: AbortSignal; onStart?: (conversationId: string) => void },
  ): Promise<ConversationReply> {
    const message = input.message;
    const settings = this.settings(input);
    const conversation = input.conversationId === undefined ? null : this.conversationRow(owner, input.conversationId);
    const model = input.model ?? conversation?.model ?? (await this.defaultFor(owner));
    if (!model) throw new NotFoundError("No model is chosen: pick one (or add a provider in AI settings)", "model_not_found");
    this.check(owner, model);
    const files = await this.attachments(owner, input.attachments);

    const prompt = files.length ? `${files.map((f) => `Attached file ${f.name}:\n\`\`\`\n${f.text}\n\`\`\``).join("\n\n")}\n\n${message}` : message;
    // The turn is kept as chat history, which counts against the wallet's quota like its files.
    this.files.reserve(owner, Buffer.byteLength(prompt) + (conversation ? 0 : 256), "This message");
    const now = Date.now();
    const isNew = conversation === null;
    const row: ConversationRow = conversation ?? { id: randomUUID(), owner, title: message.replace(/\s+/g, " ").trim().slice(0, 60) || "New chat", model, created_at: now, updated_at: now };
    const history: ChatTurn[] = isNew ? [] : this.repo.messages(row.id).map((m) => ({ role: m.role, content: m.content }));
    const conversationId = row.id;
    // A new conversation and its first turn appear together, or not at all.
    transaction(this.db, () => {
      if (isNew) this.repo.insertConversation(row);
      this.repo.addMessage(
        { conversation_id: conversationId, role: "user", content: prompt, attachments: JSON.stringify(files.map(({ text: _t, ...f }) => f)), model: null, stop_reason: null, created_at: now },
        model,
      );
    });
    onStart?.(conversationId);
    const result = await this.generate(owner, { model, messages: [...history, { role: "user", content: prompt }], ...settings }, onToken, signal);
    transaction(this.db, () =>
      this.repo.addMessage({ conversation_id: conversationId, role: "assistant", content: result.text, attachments: "[]", model, stop_reason: result.reason, created_at: Date.now() }, model),
    );
    return { conversationId, message: { role: "assistant", content: result.text }, model, reason: result.reason, usage: { promptTokens: result.promptTokens, tokens: result.tokens } };
  }
}

export type ConversationView = ReturnType<typeof conversationView>;
export type MessageView = ReturnType<typeof messageView>;

function conversationView(c: ConversationRow) {
  return { id: c.id, title: c.title, model: c.model, createdAt: new Date(c.created_at).toISOString(), updatedAt: new Date(c.updated_at).toISOString() };
}

function messageView(m: MessageRow) {
  return {
    role: m.role,
    content: m.content,
    attachments: JSON.parse(m.attachments) as { path: string; name: string; size: number }[],
    model: m.model,
    stopReason: m.stop_reason,
    createdAt: new Date(m.created_at).toISOString(),
  };
}
