// The AI worker: llama.cpp (node-llama-cpp's prebuilt binary) off the main thread. Models stay
// loaded (the two most recently used); each generation gets its own context, disposed after.
import { getLlama, LlamaChatSession, LlamaCompletion, resolveChatWrapper, type ChatHistoryItem, type Llama, type LlamaModel } from "node-llama-cpp";
import type { AiEvent, AiRequest, AiWorkerInit, ChatTurn } from "./ai-protocol.ts";

declare const self: Worker;

const MAX_MODELS = 2;
let init: AiWorkerInit | null = null;
let llama: Promise<Llama> | null = null;
const models = new Map<string, Promise<{ model: LlamaModel; wrapper: ReturnType<typeof resolveChatWrapper> }>>();
const running = new Map<number, AbortController>();

const send = (event: AiEvent) => postMessage(event);

class LoadError extends Error {}
class EngineError extends Error {}

function runtime(): Promise<Llama> {
  // build "never": a broken binary fails at once instead of compiling llama.cpp for minutes.
  llama ??= getLlama({ gpu: false, build: "never", maxThreads: init!.threads, logLevel: "error" as never }).catch((err: unknown) => {
    llama = null; // try again next time
    throw new EngineError(err instanceof Error ? err.message : String(err));
  });
  return llama;
}

function load(modelPath: string) {
  let entry = models.get(modelPath);
  if (entry) models.delete(modelPath);
  else {
    entry = runtime().then(async (l) => {
      // (an EngineError from runtime() passes through as it is)
      try {
        const model = await l.loadModel({ modelPath });
        // Resolving the chat wrapper from the model's template is slow; once per model.
        return { model, wrapper: resolveChatWrapper(model) };
      } catch (err) {
        throw new LoadError(err instanceof Error ? err.message : String(err));
      }
    });
    entry.catch(() => models.delete(modelPath));
  }
  models.set(modelPath, entry);
  for (const [path, old] of models) {
    if (models.size <= MAX_MODELS) break;
    models.delete(path);
    void old.then((m) => m.model.dispose()).catch(() => undefined);
  }
  return entry;
}

function history(turns: ChatTurn[]): ChatHistoryItem[] {
  return turns.map((t): ChatHistoryItem => (t.role === "system" ? { type: "system", text: t.content } : t.role === "user" ? { type: "user", text: t.content } : { type: "model", response: [t.content] }));
}

/** Text for one generation: the first piece goes at once (time to first token); later ones are
 * coalesced for up to FLUSH_MS, so a fast model does not pay a message and a frame per token. */
const FLUSH_MS = 8;
function tokenSender(id: number) {
  let pending = "";
  let timer: ReturnType<typeof setTimeout> | null = null;
  let sentAny = false;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending) send({ id, t: "token", text: pending });
    pending = "";
  };
  return {
    push(text: string) {
      pending += text;
      if (!sentAny) return void ((sentAny = true), flush());
      timer ??= setTimeout(flush, FLUSH_MS);
    },
    flush,
  };
}

async function generate(req: Extract<AiRequest, { op: "chat" | "complete" }>): Promise<void> {
  const ctrl = new AbortController();
  const tokens = tokenSender(req.id);
  running.set(req.id, ctrl);
  const { model, wrapper } = await load(req.modelPath);
  const context = await model.createContext({ contextSize: Math.min(req.contextSize, model.trainContextSize), threads: init!.threads });
  try {
    const sequence = context.getSequence();
    const options = {
      maxTokens: req.maxTokens,
      temperature: req.temperature,
      signal: ctrl.signal,
      stopOnAbortSignal: true,
      onTextChunk: (text: string) => tokens.push(text),
    };
    let text: string;
    let stop: string;
    if (req.op === "chat") {
      const session = new LlamaChatSession({ contextSequence: sequence, chatWrapper: wrapper ?? "auto" });
      const last = req.messages.at(-1)!;
      session.setChatHistory(history(req.messages.slice(0, -1)));
      const result = await session.promptWithMeta(last.content, options);
      text = result.responseText;
      stop = result.stopReason;
    } else {
      const completion = new LlamaCompletion({ contextSequence: sequence });
      const result = await completion.generateCompletionWithMeta(req.prompt, options);
      text = result.response;
      stop = result.metadata.stopReason;
    }
    tokens.flush();
    const generated = model.tokenize(text).length;
    const promptTokens = sequence.tokenMeter.usedInputTokens;
    send({ id: req.id, t: "done", text, tokens: generated, promptTokens, reason: ctrl.signal.aborted ? "cancelled" : stop === "maxTokens" ? "length" : "stop" });
  } finally {
    tokens.flush();
    running.delete(req.id);
    await context.dispose();
  }
}

async function inspect(req: Extract<AiRequest, { op: "inspect" }>): Promise<void> {
  const { model } = await load(req.modelPath);
  send({ id: req.id, t: "info", architecture: String(model.fileInfo.metadata.general.architecture), parameters: Number(model.fileInsights.totalParameters ?? 0), contextLength: model.trainContextSize, sizeBytes: model.size });
}

self.onmessage = (e: MessageEvent<AiWorkerInit | AiRequest>) => {
  if (!init) {
    init = e.data as AiWorkerInit;
    return;
  }
  const req = e.data as AiRequest;
  if (req.op === "cancel") return void running.get(req.id)?.abort();
  const work = req.op === "inspect" ? inspect(req) : generate(req);
  work.catch((err: unknown) => send({ id: req.id, t: "error", message: err instanceof Error ? err.message : String(err), stage: err instanceof EngineError ? "engine" : err instanceof LoadError ? "load" : "generate" }));
};
