// HTTP for AI: models, the default model, chat (NDJSON stream), conversations, cloud connections,
// and (Admins) the Ollama server, pulling and deleting its models.
import { Elysia } from "elysia";
import { ValidationError } from "../../errors.ts";
import { principalOf } from "../../http/auth-guard.ts";
import { ndjson } from "../../http/ndjson.ts";
import { asObject } from "../validate.ts";
import type { AiService } from "./ai.service.ts";
import type { CloudProvider } from "./cloud.provider.ts";
import type { OllamaProvider } from "./ollama.provider.ts";

const owner = (request: Request) => principalOf(request).address;

function ollamaModel(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("ollama/") || value.length > 300 || /\s/.test(value))
    throw new ValidationError("model must be an Ollama model id, e.g. ollama/llama3.2:latest", { field: "model" });
  return value.slice("ollama/".length);
}

export function aiRoutes(ai: AiService) {
  const cloud = ai.provider<CloudProvider>("cloud");
  const ollama = ai.provider<OllamaProvider>("ollama");
  return new Elysia({ name: "ai.routes" })
    .get("/api/ai/models", ({ request }) => ai.models(owner(request)))
    .put("/api/ai/default-model", async ({ request, body }) => {
      await ai.setDefault(owner(request), asObject(body).model);
      return { default: asObject(body).model };
    })
    .post("/api/ai/chat", ({ request, body }) =>
      ndjson(
        async (write, started) => {
          const reply = await ai.send(
            owner(request),
            body,
            (text) => write({ type: "token", text }),
            request.signal,
            (conversationId) => {
              write({ type: "start", conversationId });
              started();
            },
          );
          write({ type: "done", ...reply });
        },
        (e) => ({ type: "error", ...e }),
      ),
    )
    .get("/api/ai/conversations", ({ request }) => ({ conversations: ai.listConversations(owner(request)) }))
    .get("/api/ai/conversations/:id", ({ request, params }) => ai.openConversation(owner(request), params.id))
    .patch("/api/ai/conversations/:id", ({ request, params, body }) => {
      ai.renameConversation(owner(request), params.id, asObject(body).title);
      return { renamed: true };
    })
    .delete("/api/ai/conversations/:id", ({ request, params }) => {
      ai.deleteConversation(owner(request), params.id);
      return { deleted: true };
    })
    .get("/api/ai/cloud", ({ request }) => ({ connections: cloud.connections(owner(request)) }))
    .post("/api/ai/cloud", async ({ request, body, set }) => {
      const connection = await cloud.addConnection(owner(request), asObject(body));
      set.status = 201;
      return { connection };
    })
    .delete("/api/ai/cloud/:name", ({ request, params }) => {
      cloud.removeConnection(owner(request), params.name);
      return { removed: true };
    })
    .get("/api/ai/ollama", () => ({ host: ollama.host(), hasToken: ollama.hasToken() }))
    .put("/api/ai/ollama", async ({ body }) => {
      const input = asObject(body);
      await ollama.configure(input.host, input.token);
      return { host: ollama.host(), hasToken: ollama.hasToken() };
    })
    .post("/api/ai/models/pull", ({ request, body }) => {
      const model = ollamaModel(asObject(body).model);
      return ndjson(
        async (write, started) => {
          await ollama.pull(model, (p) => (write({ type: "progress", ...p }), started()), request.signal);
          write({ type: "done", model: `ollama/${model}` });
        },
        (e) => ({ type: "error", ...e }),
      );
    })
    .post("/api/ai/models/delete", async ({ body }) => {
      await ollama.remove(ollamaModel(asObject(body).model));
      return { deleted: true };
    });
}
