// What every AI provider offers: its models and a streamed chat, cancellable upstream.
import type { ChatTurn } from "../../../workers/ai-protocol.ts";

export type { ChatTurn };
export type ProviderId = "local" | "ollama" | "cloud";

export interface ModelInfo {
  /** "<provider>/<name>": what clients pass as `model`. */
  id: string;
  provider: ProviderId;
  name: string;
  sizeBytes: number | null;
  /** ISO time the model last changed, where the provider knows it. */
  modifiedAt: string | null;
  details: Record<string, unknown>;
}

export interface GenerateOptions {
  maxTokens: number;
  temperature: number;
  onToken: (text: string) => void;
  signal?: AbortSignal;
}

export interface Generation {
  text: string;
  promptTokens: number;
  tokens: number;
  /** Why it ended: a natural stop, the token cap, the caller cancelled, or the time limit. */
  reason: "stop" | "length" | "cancelled" | "timeout";
}

export interface AiProvider {
  readonly id: ProviderId;
  /** The models `owner` may use (cloud connections are per wallet). */
  models(owner: string): Promise<ModelInfo[]>;
  chat(owner: string, model: string, messages: ChatTurn[], options: GenerateOptions): Promise<Generation>;
  /** Throw model_not_found now, when the provider can tell cheaply (before a stream starts). */
  check?(owner: string, model: string): void;
  /** A raw completion of `prompt`, where the provider has one. */
  complete?(owner: string, model: string, prompt: string, options: GenerateOptions): Promise<Generation>;
}
