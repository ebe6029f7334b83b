// An Ollama-compatible API served by PC2 (/ollama/api/{chat,generate,tags,show,version}), backed by
// PC2's providers: tools that speak Ollama can use the node with an API token (scope ai:chat).
// Model names are PC2's ids ("local/…", "ollama/…", "cloud/…"). Errors are { error } like Ollama's.
import { Elysia } from "elysia";
import { NotFoundError } from "../../errors.ts";
import { principalOf } from "../../http/auth-guard.ts";
import { ndjson } from "../../http/ndjson.ts";
import { VERSION } from "../system/system.service.ts";
import type { AiService } from "./ai.service.ts";
import { OllamaChatBody, OllamaGenerateBody, OllamaShowBody, type OllamaOptions } from "./ai.schemas.ts";
import type { LocalProvider } from "./local.provider.ts";
import { VIA_PC2_HEADER } from "./ollama.provider.ts";
import type { Generation } from "./provider.ts";

const owner = (request: Request) => principalOf(request).address;
/** A request from a PC2 acting as an Ollama client: its Ollama is us, so ours is left out. */
const except = (request: Request) => (request.headers.get(VIA_PC2_HEADER) ? ("ollama" as const) : undefined);
const ns = (ms: number) => Math.round(ms * 1e6);

/** Ollama's `options` → PC2's generation settings (num_predict -1 means "no limit": the node's cap). */
function settings(ai: AiService, options: OllamaOptions = {}) {
  return ai.settings({ maxTokens: options.num_predict === undefined || options.num_predict === -1 ? undefined : options.num_predict, temperature: options.temperature });
}

/** The closing line of a stream (and the body of a non-streamed answer, with the whole text). */
function finalLine(model: string, started: number, g: Generation, content: Record<string, unknown>) {
  const total = ns(performance.now() - started);
  return {
    model,
    created_at: new Date().toISOString(),
    ...content,
    done: true,
    done_reason: g.reason === "length" ? "length" : g.reason === "stop" ? "stop" : g.reason,
    total_duration: total,
    load_duration: 0,
    prompt_eval_count: g.promptTokens,
    prompt_eval_duration: 0,
    eval_count: g.tokens,
    eval_duration: total,
  };
}

/** Stream token lines and a final line, or answer once with the whole text (`stream: false`). */
async function answer(stream: boolean, model: string, run: (onToken: (t: string) => void) => Promise<Generation>, shape: (text: string) => Record<string, unknown>) {
  const started = performance.now();
  if (!stream) {
    const g = await run(() => undefined);
    return finalLine(model, started, g, shape(g.text));
  }
  return ndjson(
    async (write, begun) => {
      begun(); // validation happened before: the stream starts at once
      const g = await run((t) => write({ model, created_at: new Date().toISOString(), ...shape(t), done: false }));
      write(finalLine(model, started, g, shape("")));
    },
    (e) => ({ error: e.message }),
  );
}

export function ollamaApiRoutes(ai: AiService) {
  return new Elysia({ name: "ollama-api.routes" })
    .get("/ollama/api/version", () => ({ version: `pc2-${VERSION}` }))
    .get("/ollama/api/tags", async ({ request }) => {
      const { models } = await ai.models(owner(request), except(request));
      return {
        models: models.map((m) => ({
          name: m.id,
          model: m.id,
          // Ollama clients expect a time; a cloud model has none to give.
          modified_at: m.modifiedAt ?? new Date(0).toISOString(),
          size: m.sizeBytes ?? 0,
          digest: String(m.details.digest ?? ""),
          details: {
            parent_model: "",
            format: String(m.details.format ?? ""),
            family: String(m.details.family ?? ""),
            families: null,
            parameter_size: String(m.details.parameter_size ?? ""),
            quantization_level: String(m.details.quantization_level ?? ""),
          },
        })),
      };
    })
    .post(
      "/ollama/api/show",
      async ({ request, body }) => {
        const model = body.model;
        const { models } = await ai.models(owner(request), except(request));
        const info = models.find((m) => m.id === model);
        if (!info) throw new NotFoundError(`No model ${model.slice(0, 100)}`, "model_not_found");
        const details = info.provider === "local" ? await ai.provider<LocalProvider>("local").inspect(info.name) : null;
        return {
          modelfile: "",
          parameters: "",
          template: "",
          details: {
            parent_model: "",
            format: String(info.details.format ?? ""),
            family: details?.architecture ?? "",
            families: null,
            parameter_size: details ? String(details.parameters) : "",
            quantization_level: "",
          },
          model_info: details ? { "general.architecture": details.architecture, "general.parameter_count": details.parameters, [`${details.architecture}.context_length`]: details.contextLength } : {},
          capabilities: ["completion"],
        };
      },
      { body: OllamaShowBody },
    )
    .post(
      "/ollama/api/chat",
      async ({ request, body: input }) => {
        const { model, messages } = input;
        const s = settings(ai, input.options);
        ai.check(owner(request), model, except(request));
        return answer(
          input.stream !== false,
          model,
          (onToken) => ai.generate(owner(request), { model, messages, ...s }, onToken, request.signal, except(request)),
          (text) => ({ message: { role: "assistant", content: text } }),
        );
      },
      { body: OllamaChatBody },
    )
    .post(
      "/ollama/api/generate",
      async ({ request, body: input }) => {
        const { model, prompt } = input;
        const s = settings(ai, input.options);
        ai.check(owner(request), model, except(request));
        const run = (onToken: (t: string) => void) =>
          input.raw === true
            ? ai.complete(owner(request), model, prompt, s, onToken, request.signal, except(request))
            : ai.generate(
                owner(request),
                { model, messages: [...(input.system ? [{ role: "system" as const, content: input.system }] : []), { role: "user" as const, content: prompt }], ...s },
                onToken,
                request.signal,
                except(request),
              );
        return answer(input.stream !== false, model, run, (text) => ({ response: text }));
      },
      { body: OllamaGenerateBody },
    );
}
