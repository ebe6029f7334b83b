// OpenAI-compatible cloud providers: each wallet adds its own connections (name, base URL, API key).
// Keys are sealed at rest, bound to their owner, never returned by any API and only ever sent to
// the base URL they were added with, for the wallet that added them.
import { AppError, fail, NotFoundError } from "../../errors.ts";
import { checkedAddress, outboundFetch, systemResolver, type Reach, type Resolver } from "../../net/outbound-fetch.ts";
import { joinUrl, parseBaseUrl } from "../../net/service-url.ts";
import type { CloudBody } from "./ai.schemas.ts";
import type { AiRepository } from "./ai.repository.ts";
import type { KeyVault } from "./key-vault.ts";
import type { AiProvider, ChatTurn, GenerateOptions, Generation, ModelInfo } from "./provider.ts";

const LIST_TIMEOUT_MS = 10_000;

export interface CloudConnection {
  name: string;
  baseUrl: string;
  createdAt: string;
}

/** A key opens only for its owner, its connection and the base URL it was given for. */
const context = (owner: string, name: string, baseUrl: string) => `cloud-key:${owner}:${name}:${baseUrl}`;

/** Server-sent events: the `data:` payloads of a text/event-stream body. */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
      const data = event
        .split(/\r?\n/)
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).replace(/^ /, ""))
        .join("\n");
      if (data) yield data;
    }
  }
}

export class CloudProvider implements AiProvider {
  readonly id = "cloud" as const;

  /**
   * `reachOf`: how far `owner` may make the node connect, asked at every request (a demoted Admin
   * loses LAN servers at once). `resolve` is DNS, replaceable in tests.
   */
  constructor(
    private readonly repo: AiRepository,
    private readonly vault: KeyVault,
    private readonly reachOf: (owner: string) => Reach,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  connections(owner: string): CloudConnection[] {
    return this.repo.connections(owner).map((c) => ({ name: c.name, baseUrl: c.base_url, createdAt: new Date(c.created_at).toISOString() }));
  }

  /**
   * Add (or replace) a connection. Members may use only providers on the public internet; the
   * Owner and Admins also servers on the LAN (llama-server, vLLM…). Checked here for a clear answer,
   * and again on the address actually dialled at every request.
   */
  async addConnection(owner: string, input: CloudBody): Promise<CloudConnection> {
    const { name, apiKey } = input;
    const baseUrl = parseBaseUrl(input.baseUrl, "baseUrl", "https://api.openai.com/v1");
    await checkedAddress(new URL(baseUrl), this.reachOf(owner), this.resolve);
    this.repo.putConnection({ owner, name, base_url: baseUrl, sealed_key: this.vault.seal(apiKey, context(owner, name, baseUrl)), created_at: Date.now() });
    return this.connections(owner).find((c) => c.name === name)!;
  }

  removeConnection(owner: string, name: string): void {
    if (!this.repo.deleteConnection(owner, name)) throw new NotFoundError(`No cloud connection named ${name.slice(0, 40)}`, "connection_not_found");
  }

  /** `${base}${path}` with the connection's key: only for `owner`'s own connection. */
  private async call(owner: string, connection: string, path: string, init: RequestInit & { timeoutMs?: number }): Promise<Response> {
    const row = this.repo.connection(owner, connection);
    if (!row) throw new NotFoundError(`No cloud connection named ${connection.slice(0, 40)}`, "model_not_found");
    const key = this.vault.open(row.sealed_key, context(owner, row.name, row.base_url));
    let res: Response;
    try {
      // The key goes to the base URL only: a redirect is an error, never followed.
      const fetchOut = outboundFetch(this.reachOf(owner), this.resolve);
      res = await fetchOut(joinUrl(row.base_url, path), { ...init, headers: { ...init.headers, authorization: `Bearer ${key}` }, redirect: "error" });
    } catch (err) {
      if (init.signal?.aborted || err instanceof AppError) throw err;
      throw fail("provider_unavailable", `${row.name} (${row.base_url}) is not reachable`);
    }
    if (res.status === 401 || res.status === 403) throw fail("provider_auth_failed", `${row.name} refused the API key (HTTP ${res.status})`);
    if (res.status === 404) throw new NotFoundError(`${row.name} has no such model`, "model_not_found");
    if (!res.ok) throw fail("provider_error", `${row.name} answered HTTP ${res.status}`);
    return res;
  }

  async models(owner: string): Promise<ModelInfo[]> {
    const lists = await Promise.all(
      this.repo.connections(owner).map(async (c) => {
        try {
          const res = await this.call(owner, c.name, "/models", { signal: AbortSignal.timeout(LIST_TIMEOUT_MS) });
          const body = (await res.json()) as { data?: { id?: unknown; owned_by?: unknown }[] };
          return (body.data ?? [])
            .filter((m) => typeof m.id === "string")
            .map(
              (m): ModelInfo => ({
                id: `cloud/${c.name}/${m.id}`,
                provider: "cloud",
                name: `${c.name}/${m.id}`,
                sizeBytes: null,
                modifiedAt: null,
                details: { connection: c.name, ownedBy: m.owned_by ?? null },
              }),
            );
        } catch {
          return []; // an unreachable provider lists nothing; chatting with it says why
        }
      }),
    );
    return lists.flat();
  }

  check(owner: string, model: string): void {
    const slash = model.indexOf("/");
    if (slash <= 0 || !this.repo.connection(owner, model.slice(0, slash))) throw new NotFoundError(`No cloud model ${model.slice(0, 100)}; add a connection in AI settings`, "model_not_found");
  }

  async chat(owner: string, model: string, messages: ChatTurn[], options: GenerateOptions): Promise<Generation> {
    const slash = model.indexOf("/");
    if (slash <= 0) throw new NotFoundError("Cloud models are named <connection>/<model>", "model_not_found");
    const res = await this.call(owner, model.slice(0, slash), "/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ model: model.slice(slash + 1), messages, stream: true, stream_options: { include_usage: true }, max_tokens: options.maxTokens, temperature: options.temperature }),
      signal: options.signal,
    });
    let text = "";
    let reason: Generation["reason"] = "stop";
    let usage = { prompt_tokens: 0, completion_tokens: 0 };
    try {
      for await (const data of sseData(res.body!)) {
        if (data === "[DONE]") break;
        const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string }; finish_reason?: string | null }[]; usage?: typeof usage };
        const choice = chunk.choices?.[0];
        const piece = choice?.delta?.content;
        if (piece) (text += piece), options.onToken(piece);
        if (choice?.finish_reason === "length") reason = "length";
        if (chunk.usage) usage = chunk.usage;
      }
    } catch (err) {
      if (options.signal?.aborted) return { text, promptTokens: 0, tokens: 0, reason: "cancelled" };
      throw fail("provider_error", `The provider's stream broke off: ${(err as Error).message}`);
    }
    return { text, promptTokens: usage.prompt_tokens, tokens: usage.completion_tokens, reason };
  }
}
