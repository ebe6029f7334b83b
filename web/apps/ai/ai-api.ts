// The AI API for the desktop: models, conversations (REST) and streamed chat (/ws ai.chat).
import { api } from "../../api/rest-client.ts";
import type { NodeConnection } from "../../state/node-connection.ts";

// The shapes are the server's own (type-only imports: nothing of the server reaches the bundle).
import type { ConversationReply as Reply, ConversationView as Conversation, MessageView } from "../../../server/services/ai/ai.service.ts";
import type { ModelInfo as Model } from "../../../server/services/ai/provider.ts";
import type { SendBody } from "../../../server/services/ai/ai.schemas.ts";
export type { Conversation, Model, Reply };

/** A message as the chat shows it: the ones it is still writing have no saved details yet. */
export type Message = Pick<MessageView, "role" | "content"> & Partial<Pick<MessageView, "stopReason">> & { attachments?: { name: string }[] };

export const listModels = () => api.get<{ models: Model[]; unavailable: { provider: string; message: string }[]; default: string | null }>("/api/ai/models");
export const listConversations = () => api.get<{ conversations: Conversation[] }>("/api/ai/conversations").then((r) => r.conversations);
export const openConversation = (id: string) => api.get<Conversation & { messages: Message[] }>(`/api/ai/conversations/${encodeURIComponent(id)}`);
export const renameConversation = (id: string, title: string) => api.send("PATCH", `/api/ai/conversations/${encodeURIComponent(id)}`, { title });
export const deleteConversation = (id: string) => api.send("DELETE", `/api/ai/conversations/${encodeURIComponent(id)}`);

/** Send a message; `onStarted` gets the conversation id, `onToken` each piece of the reply. */
export function sendMessage(
  ws: NodeConnection,
  params: SendBody & { model: string },
  onStarted: (conversationId: string) => void,
  onToken: (text: string) => void,
  signal: AbortSignal,
): Promise<Reply> {
  // This chat's own notifications only: other windows may be chatting over the same connection.
  return ws.call<Reply>("ai.chat", params, {
    signal,
    onNotification: (method, p) => {
      if (method === "ai.started") onStarted((p as { conversationId: string }).conversationId);
      if (method === "ai.token") onToken((p as { text: string }).text);
    },
  });
}

/** Pull an Ollama model through the node; `onProgress` gets Ollama's progress lines as they come. */
export async function pullModel(model: string, onProgress: (p: { status?: string; completed?: number; total?: number }) => void): Promise<void> {
  const res = await fetch("/api/ai/models/pull", { method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: `ollama/${model}` }) });
  if (!res.ok) throw new Error((await res.json().catch(() => null))?.message ?? `HTTP ${res.status}`);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += value;
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines.filter(Boolean)) {
      const p = JSON.parse(line) as { type: string; status?: string; completed?: number; total?: number; message?: string };
      if (p.type === "error") throw new Error(p.message);
      if (p.type === "progress") onProgress(p);
    }
  }
}
