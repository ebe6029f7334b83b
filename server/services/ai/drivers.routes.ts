// Puter's POST /drivers/call for the puter-chat-completion interface, so the Puter SDK's
// `puter.ai.chat()` works against the node: non-streamed ({ success, result }) and streamed (NDJSON
// lines { type: "text", text }). Other interfaces are not offered.
import { Elysia } from "elysia";
import { fail, ValidationError } from "../../errors.ts";
import { principalOf } from "../../http/auth-guard.ts";
import { ndjson } from "../../http/ndjson.ts";
import { asObject } from "../validate.ts";
import { DriversCallBody } from "./ai.schemas.ts";
import type { AiService } from "./ai.service.ts";
import type { ChatTurn } from "./provider.ts";

/** Puter messages: content is text, or a list of parts of which the text ones count; role defaults to user. */
function turns(value: unknown): ChatTurn[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 200) throw new ValidationError("args.messages must be a list of messages", { field: "args.messages" });
  return value.map((m, i) => {
    const o = asObject(m);
    const role = o.role ?? "user";
    if (role !== "system" && role !== "user" && role !== "assistant") throw new ValidationError(`args.messages[${i}].role must be system, user or assistant`);
    const content = Array.isArray(o.content) ? o.content.map((p) => (typeof p === "string" ? p : typeof asObject(p).text === "string" ? asObject(p).text : "")).join("") : o.content;
    if (typeof content !== "string" || content.length > 100_000) throw new ValidationError(`args.messages[${i}].content must be text`);
    return { role, content };
  });
}

export function driversRoutes(ai: AiService) {
  return new Elysia({ name: "drivers.routes" }).post(
    "/drivers/call",
    async ({ request, body: input }) => {
      if (input.interface !== "puter-chat-completion") throw fail("interface_not_found", `This node offers no driver for ${input.interface.slice(0, 60)}`);
      if (input.method !== "complete") throw fail("method_not_found", "puter-chat-completion has one method here: complete");
      const args = input.args ?? {};
      const owner = principalOf(request).address;
      const model = args.model ?? (await ai.defaultFor(owner));
      if (model === null) throw fail("model_not_found", "No model is available on this node");
      const messages = turns(args.messages);
      const settings = ai.settings({ maxTokens: args.max_tokens, temperature: args.temperature });
      ai.check(owner, model);
      if (args.stream === true) {
        return ndjson(
          async (write, started) => {
            started();
            const g = await ai.generate(owner, { model, messages, ...settings }, (text) => write({ type: "text", text }), request.signal);
            write({ type: "usage", usage: { input_tokens: g.promptTokens, output_tokens: g.tokens } });
          },
          (e) => ({ type: "error", ...e }),
        );
      }
      const g = await ai.generate(owner, { model, messages, ...settings }, () => undefined, request.signal);
      return {
        success: true,
        service: { name: "pc2-ai", interface: "puter-chat-completion" },
        result: {
          message: { role: "assistant", content: g.text },
          finish_reason: g.reason === "length" ? "length" : "stop",
          usage: { input_tokens: g.promptTokens, output_tokens: g.tokens },
          via_ai_chat_service: true,
        },
      };
    },
    { body: DriversCallBody },
  );
}
