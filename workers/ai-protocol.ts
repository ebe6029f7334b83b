// Messages between the node and the AI worker (workers/ai.worker.ts), which runs llama.cpp.

export interface ChatTurn {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface AiWorkerInit {
  /** CPU threads for inference (leave one core for the node). */
  threads: number;
  /** What to import node-llama-cpp from: the package name, or the path of an unpacked copy. */
  module: string;
}

export type AiRequest =
  /** Chat: the history and a new user turn (the last of `messages`), streamed as "token" events. */
  | { id: number; op: "chat"; modelPath: string; messages: ChatTurn[]; maxTokens: number; contextSize: number; temperature: number }
  /** Raw completion of `prompt` (Ollama's /api/generate with raw text). */
  | { id: number; op: "complete"; modelPath: string; prompt: string; maxTokens: number; contextSize: number; temperature: number }
  /** Stop the generation `id` (upstream: llama.cpp stops evaluating). */
  | { id: number; op: "cancel" }
  /** Check that a file loads as a model; answers its metadata. */
  | { id: number; op: "inspect"; modelPath: string };

export type AiEvent =
  | { id: number; t: "token"; text: string }
  | { id: number; t: "done"; text: string; promptTokens: number; tokens: number; reason: "stop" | "length" | "cancelled" }
  | { id: number; t: "info"; architecture: string; parameters: number; contextLength: number; sizeBytes: number }
  /** `engine`: llama.cpp itself could not start; `load`: the model file could not be loaded (missing, malformed, unsupported). */
  | { id: number; t: "error"; message: string; stage: "engine" | "load" | "generate" };
