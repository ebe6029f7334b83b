// The Ollama provider: the `ollama` npm client against the Ollama server an Admin configured
// (default from PC2_AI_OLLAMA_HOST; the client ignores OLLAMA_HOST, so the host is always passed).
// An optional bearer token (for an Ollama behind a proxy, or another PC2) is sealed at rest.
import { Ollama, type AbortableAsyncIterator, type ChatResponse } from "ollama";
import { AppError, fail, NotFoundError, ValidationError } from "../../errors.ts";
import { checkedAddress, outboundFetch, systemResolver, type Resolver } from "../../net/outbound-fetch.ts";
import { parseBaseUrl } from "../../net/service-url.ts";
import type { SettingsRepository } from "../settings/settings.repository.ts";
import type { KeyVault } from "./key-vault.ts";
import type { AiProvider, ChatTurn, GenerateOptions, Generation, ModelInfo } from "./provider.ts";

const HOST_KEY = "ai.ollama.host";
const TOKEN_KEY = "ai.ollama.token";
/** The token opens only for the host it was given for: a new host never receives the old token. */
const tokenContext = (host: string) => `ollama-token:${host}`;
/**
 * Sent on every request to Ollama. When "Ollama" is another PC2's (or this node's own) /ollama API,
 * that API leaves its own Ollama provider out: a chain of PC2s can never loop back on itself.
 */
export const VIA_PC2_HEADER = "x-pc2-ollama-proxy";

export interface PullProgress {
  status: string;
  completed: number | null;
  total: number | null;
}

/**
 * Errors from the client or the network, as PC2 errors (never a 401 of ours: that means "signed
 * out"). `midStream`: Ollama answered, then reported an error inside the stream.
 */
function upstream(err: unknown, host: string, model?: string, midStream = false): AppError {
  if (err instanceof AppError) return err;
  const e = err as { name?: string; status_code?: number; error?: string; message?: string };
  if (midStream) return fail("provider_error", `Ollama stopped with an error: ${e.message ?? String(err)}`);
  if (e.status_code === 404) return new NotFoundError(`Ollama has no model ${model ?? ""}`.trim(), "model_not_found");
  if (e.status_code === 401 || e.status_code === 403) return fail("provider_auth_failed", `Ollama at ${host} refused the credentials`);
  if (e.status_code) return fail("provider_error", `Ollama answered ${e.status_code}: ${e.error ?? e.message ?? ""}`.trim());
  return fail("provider_unavailable", `Ollama at ${host} is not reachable (${e.message ?? String(err)})`);
}

export class OllamaProvider implements AiProvider {
  readonly id = "ollama" as const;

  constructor(
    private readonly settings: SettingsRepository,
    private readonly vault: KeyVault,
    private readonly defaultHost: string,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  host(): string {
    return this.settings.get(HOST_KEY) ?? this.defaultHost;
  }

  hasToken(): boolean {
    return this.token() !== null;
  }

  /**
   * Point PC2 at an Ollama server (on the LAN or the internet, never link-local or metadata
   * addresses). `token`: a string sets it, null clears it, undefined keeps it only while the host
   * stays the same — a token is never sent to a host it was not given for.
   */
  async configure(host: string, token: string | null | undefined): Promise<void> {
    const base = parseBaseUrl(host, "host", "http://127.0.0.1:11434");
    if (typeof token === "string" && /[\s\0]/.test(token)) throw new ValidationError("token must be text without spaces", { field: "token" });
    await checkedAddress(new URL(base), "lan", this.resolve);
    const hostChanged = base !== this.host();
    this.settings.set(HOST_KEY, base);
    if (typeof token === "string") this.settings.set(TOKEN_KEY, this.vault.seal(token, tokenContext(base)));
    else if (token === null || hostChanged) this.settings.delete(TOKEN_KEY);
  }

  private token(): string | null {
    const sealed = this.settings.get(TOKEN_KEY);
    if (!sealed) return null;
    try {
      return this.vault.open(sealed, tokenContext(this.host()));
    } catch {
      return null; // sealed for another host: never sent
    }
  }

  private client(): Ollama {
    const token = this.token();
    const headers: Record<string, string> = { [VIA_PC2_HEADER]: "1", ...(token ? { authorization: `Bearer ${token}` } : {}) };
    // The Ollama server is a node setting only Admins change: it may be on the LAN, never beyond it.
    return new Ollama({ host: this.host(), headers, fetch: outboundFetch("lan", this.resolve) as typeof fetch });
  }

  async models(): Promise<ModelInfo[]> {
    try {
      const { models } = await this.client().list();
      return models.map((m) => ({
        id: `ollama/${m.name}`,
        provider: "ollama",
        name: m.name,
        sizeBytes: m.size,
        modifiedAt: m.modified_at ? new Date(m.modified_at).toISOString() : null,
        details: { ...m.details, digest: m.digest },
      }));
    } catch (err) {
      throw upstream(err, this.host());
    }
  }

  async chat(_owner: string, model: string, messages: ChatTurn[], options: GenerateOptions): Promise<Generation> {
    let stream: AbortableAsyncIterator<ChatResponse>;
    try {
      stream = await this.client().chat({ model, messages, stream: true, options: { num_predict: options.maxTokens, temperature: options.temperature } });
    } catch (err) {
      throw upstream(err, this.host(), model);
    }
    const abort = () => stream.abort();
    options.signal?.addEventListener("abort", abort, { once: true });
    let text = "";
    try {
      for await (const part of stream) {
        if (part.message.content) (text += part.message.content), options.onToken(part.message.content);
        if (part.done) return { text, promptTokens: part.prompt_eval_count ?? 0, tokens: part.eval_count ?? 0, reason: part.done_reason === "length" ? "length" : "stop" };
      }
      return { text, promptTokens: 0, tokens: 0, reason: "stop" };
    } catch (err) {
      if (options.signal?.aborted) return { text, promptTokens: 0, tokens: 0, reason: "cancelled" };
      throw upstream(err, this.host(), model, true);
    } finally {
      options.signal?.removeEventListener("abort", abort);
    }
  }

  /** Pull `model` into Ollama, reporting progress as it goes. */
  async pull(model: string, onProgress: (p: PullProgress) => void, signal?: AbortSignal): Promise<void> {
    try {
      const stream = await this.client().pull({ model, stream: true });
      signal?.addEventListener("abort", () => stream.abort(), { once: true });
      for await (const p of stream) onProgress({ status: p.status, completed: p.completed ?? null, total: p.total ?? null });
    } catch (err) {
      throw upstream(err, this.host(), model);
    }
  }

  async remove(model: string): Promise<void> {
    try {
      await this.client().delete({ model });
    } catch (err) {
      throw upstream(err, this.host(), model);
    }
  }
}
