// Input schemas of AI: chat (HTTP and /ws), conversations, the default model, cloud connections,
// the Ollama server; and the Ollama-compatible and Puter driver APIs (their own wire formats,
// lenient where those clients are).
import { t } from "elysia";
import type { Static } from "../../http/schema.ts";

const ModelId = t.String({ minLength: 1, maxLength: 500 });
const Temperature = t.Number({ minimum: 0, maximum: 2 });
/** Checked against the configured cap by the service (PC2_AI_MAX_TOKENS). */
const MaxTokens = t.Integer({ minimum: 1, maximum: 32768 });

export const ChatTurn = t.Object({ role: t.Union([t.Literal("system"), t.Literal("user"), t.Literal("assistant")]), content: t.String({ maxLength: 100_000 }) });
export const ChatTurns = t.Array(ChatTurn, { minItems: 1, maxItems: 200 });

export const SendBody = t.Object({
  message: t.String({ minLength: 1, maxLength: 100_000 }),
  conversationId: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
  model: t.Optional(ModelId),
  attachments: t.Optional(t.Array(t.String({ minLength: 1, maxLength: 4096 }), { maxItems: 8 })),
  maxTokens: t.Optional(MaxTokens),
  temperature: t.Optional(Temperature),
});
export type SendBody = Static<typeof SendBody>;

export const DefaultModelBody = t.Object({ model: ModelId });
export const ConversationParams = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) });
export const RenameBody = t.Object({ title: t.String({ minLength: 1, maxLength: 200 }) });

export const CloudBody = t.Object({
  name: t.String({ pattern: "^[a-z0-9][a-z0-9-]{0,31}$", description: "1–32 lower-case letters, digits or -" }),
  baseUrl: t.String({ minLength: 1, maxLength: 500 }),
  apiKey: t.String({ minLength: 1, maxLength: 4096, pattern: "^\\S+$" }),
});
export type CloudBody = Static<typeof CloudBody>;
export const CloudParams = t.Object({ name: t.String({ minLength: 1, maxLength: 64 }) });

export const OllamaSettingsBody = t.Object({ host: t.String({ minLength: 1, maxLength: 500 }), token: t.Optional(t.Union([t.String({ maxLength: 4096 }), t.Null()])) });
export const OllamaModelBody = t.Object({ model: t.String({ minLength: 1, maxLength: 300 }) });

/** Ollama's `options`: PC2 honours num_predict and temperature; other keys are Ollama's and ignored. */
const OllamaOptions = t.Object({ num_predict: t.Optional(t.Integer({ minimum: -1, maximum: 32768 })), temperature: t.Optional(Temperature) });
export const OllamaShowBody = t.Object({ model: ModelId });
export const OllamaChatBody = t.Object({ model: ModelId, messages: ChatTurns, stream: t.Optional(t.Boolean()), options: t.Optional(OllamaOptions) });
export const OllamaGenerateBody = t.Object({
  model: ModelId,
  prompt: t.String({ maxLength: 100_000 }),
  system: t.Optional(t.String({ maxLength: 100_000 })),
  raw: t.Optional(t.Boolean()),
  stream: t.Optional(t.Boolean()),
  options: t.Optional(OllamaOptions),
});
export type OllamaOptions = Static<typeof OllamaOptions>;

/** Puter's driver call: the envelope is checked here, the chat's messages by the Puter layer (parts, default roles). */
export const DriversCallBody = t.Object({
  interface: t.String({ maxLength: 100 }),
  method: t.Optional(t.String({ maxLength: 100 })),
  args: t.Optional(
    t.Object({
      messages: t.Optional(t.Array(t.Unknown(), { maxItems: 200 })),
      model: t.Optional(ModelId),
      stream: t.Optional(t.Boolean()),
      max_tokens: t.Optional(MaxTokens),
      temperature: t.Optional(Temperature),
    }),
  ),
});
