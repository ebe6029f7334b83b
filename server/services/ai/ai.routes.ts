// HTTP for AI: models, the default model, chat (NDJSON stream), conversations, cloud connections,
// and (Admins) the Ollama server, pulling and deleting its models.
import { Elysia } from "elysia";
import { ValidationError } from "../../errors.ts";
import { principalOf } from "../../http/auth-guard.ts";
import { ndjson } from "../../http/ndjson.ts";
import { CloudBody, CloudParams, ConversationParams, DefaultModelBody, OllamaModelBody, OllamaSettingsBody, RenameBody, SendBody } from "./ai.schemas.ts";
import type { AiService } from "./ai.service.ts";
import type { CloudProvider } from "./cloud.provider.ts";
import type { OllamaProvider } from "./ollama.provider.ts";

const owner = (request: Request) => principalOf(request).address;

function ollamaModel(value: string): string {
  if (!value.startsWith("ollama/") || /\s/.test(value)) throw new ValidationError("model must be an Ollama model id, e.g. ollama/llama3.2:latest", { field: "model" });
  return value.slice("ollama/".length);
}

export function aiRoutes(ai: AiService) {
  const cloud = ai.provider<CloudProvider>("cloud");
  const ollama = ai.provider<OllamaProvider>("ollama");
  return new Elysia({ name: "ai.routes" })
    .get("/api/ai/models", ({ request }) => ai.models(owner(request)))
    .put(
      "/api/ai/default-model",
      async ({ request, body }) => {
        await ai.setDefault(owner(request), body.model);
        return { default: body.model };
      },
      { body: DefaultModelBody },
    )
    .post(
      "/api/ai/chat",
      ({ request, body }) =>
        ndjson(
          async (write, started) => {
            const reply = await ai.send(owner(request), body, {
              onToken: (text) => write({ type: "token", text }),
              signal: request.signal,
              onStart: (conversationId) => {
                write({ type: "start", conversationId });
                started();
              },
            });
            write({ type: "done", ...reply });
          },
          (e) => ({ type: "error", ...e }),
        ),
      { body: SendBody },
    )
    .get("/api/ai/conversations", ({ request }) => ({ conversations: ai.listConversations(owner(request)) }))
    .get("/api/ai/conversations/:id", ({ request, params }) => ai.openConversation(owner(request), params.id), { params: ConversationParams })
    .patch(
      "/api/ai/conversations/:id",
      ({ request, params, body }) => {
        ai.renameConversation(owner(request), params.id, body.title);
        return { renamed: true };
      },
      { params: ConversationParams, body: RenameBody },
    )
    .delete(
      "/api/ai/conversations/:id",
      ({ request, params }) => {
        ai.deleteConversation(owner(request), params.id);
        return { deleted: true };
      },
      { params: ConversationParams },
    )
    .get("/api/ai/cloud", ({ request }) => ({ connections: cloud.connections(owner(request)) }))
    .post(
      "/api/ai/cloud",
      async ({ request, body, set }) => {
        const connection = await cloud.addConnection(owner(request), body);
        set.status = 201;
        return { connection };
      },
      { body: CloudBody },
    )
    .delete(
      "/api/ai/cloud/:name",
      ({ request, params }) => {
        cloud.removeConnection(owner(request), params.name);
        return { removed: true };
      },
      { params: CloudParams },
    )
    .get("/api/ai/ollama", () => ({ host: ollama.host(), hasToken: ollama.hasToken() }))
    .put(
      "/api/ai/ollama",
      async ({ body }) => {
        await ollama.configure(body.host, body.token);
        return { host: ollama.host(), hasToken: ollama.hasToken() };
      },
      { body: OllamaSettingsBody },
    )
    .post(
      "/api/ai/models/pull",
      ({ request, body }) => {
        const model = ollamaModel(body.model);
        return ndjson(
          async (write, started) => {
            await ollama.pull(model, (p) => (write({ type: "progress", ...p }), started()), request.signal);
            write({ type: "done", model: `ollama/${model}` });
          },
          (e) => ({ type: "error", ...e }),
        );
      },
      { body: OllamaModelBody },
    )
    .post(
      "/api/ai/models/delete",
      async ({ body }) => {
        await ollama.remove(ollamaModel(body.model));
        return { deleted: true };
      },
      { body: OllamaModelBody },
    );
}
