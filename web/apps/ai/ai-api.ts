// The AI API for the desktop: models, conversations (REST) and streamed chat (/ws ai.chat).
import { api } from "../../api/rest-client.ts";
import type { Pc2WsClient } from "../../api/ws-client.ts";

export interface Model {
  id: string;
  provider: string;
  name: string;
}

export interface Conversation {
  id: string;
  title: string;
  model: string;
  updatedAt: string;
}

export interface Message {
  role: "user" | "assistant";
  content: string;
  attachments?: { name: string }[];
  stopReason?: string | null;
}

export interface Reply {
  conversationId: string;
  message: { role: "assistant"; content: string };
  reason: "stop" | "length" | "cancelled" | "timeout";
}

export const listModels = () => api.get<{ models: Model[]; unavailable: { provider: string; message: string }[]; default: string | null }>("/api/ai/models");
export const listConversations = () => api.get<{ conversations: Conversation[] }>("/api/ai/conversations").then((r) => r.conversations);
export const openConversation = (id: string) => api.get<Conversation & { messages: Message[] }>(`/api/ai/conversations/${encodeURIComponent(id)}`);
export const renameConversation = (id: string, title: string) => api.send("PATCH", `/api/ai/conversations/${encodeURIComponent(id)}`, { title });
export const deleteConversation = (id: string) => api.send("DELETE", `/api/ai/conversations/${encodeURIComponent(id)}`);

/** Send a message; `onStarted` gets the conversation id, `onToken` each piece of the reply. */
export function sendMessage(
  ws: Pc2WsClient,
  params: { conversationId?: string; model: string; message: string; attachments?: string[] },
  onStarted: (conversationId: string) => void,
  onToken: (text: string) => void,
  signal: AbortSignal,
): Promise<Reply> {
  const offStart = ws.on("ai.started", (p) => onStarted((p as { conversationId: string }).conversationId));
  const offToken = ws.on("ai.token", (p) => onToken((p as { text: string }).text));
  return ws.call<Reply>("ai.chat", params, { signal }).finally(() => (offStart(), offToken()));
}
