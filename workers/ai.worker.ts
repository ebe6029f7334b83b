// The AI worker: llama.cpp (node-llama-cpp's prebuilt binary) off the main thread. Models stay
// loaded (the two most recently used), and so do their contexts, cleared between generations.
// node-llama-cpp is imported at run time from init.module: the package itself when run from
// source, or the copy the single binary unpacks into the data folder (it needs real files).
import type * as LlamaCpp from "node-llama-cpp";
import type { ChatHistoryItem, Llama, LlamaContext, LlamaContextSequence, LlamaModel } from "node-llama-cpp";
import type { AiEvent, AiRequest, AiWorkerInit, ChatTurn } from "./ai-protocol.ts";

declare const self: Worker;

const MAX_MODELS = 2;
let init: AiWorkerInit | null = null;
let llama: Promise<Llama> | null = null;
let llamaCpp: typeof LlamaCpp | null = null;
const models = new Map<string, Promise<{ model: LlamaModel; wrapper: ReturnType<typeof LlamaCpp.resolveChatWrapper> }>>();
const running = new Map<number, AbortController>();
/** Generations in progress per model: a model in use is never unloaded under them. */
const inUse = new Map<string, number>();

/**
 * Contexts kept between generations, per model: creating one (allocating its KV cache) costs
 * milliseconds to tens of them before the first token. A reused one has its history cleared.
 */
interface Slot {
  context: LlamaContext;
  sequence: LlamaContextSequence;
}
const idleSlots = new Map<string, Slot[]>();

async function takeSlot(modelPath: string, model: LlamaModel, contextSize: number): Promise<Slot> {
  const slot = idleSlots.get(modelPath)?.pop();
  if (slot && slot.context.contextSize === Math.min(contextSize, model.trainContextSize)) return slot;
  if (slot) await slot.context.dispose();
  const context = await model.createContext({ contextSize: Math.min(contextSize, model.trainContextSize), threads: init!.threads });
  return { context, sequence: context.getSequence() };
}

async function returnSlot(modelPath: string, slot: Slot): Promise<void> {
  try {
    await slot.sequence.clearHistory();
  } catch {
    return void slot.context.dispose(); // not reusable
  }
  if (!models.has(modelPath)) return void slot.context.dispose(); // the model was unloaded meanwhile
  const list = idleSlots.get(modelPath) ?? [];
  list.push(slot);
  idleSlots.set(modelPath, list);
}

const send = (event: AiEvent) => postMessage(event);

class LoadError extends Error {}
class EngineError extends Error {}

function runtime(): Promise<Llama> {
  // build "never": a broken binary fails at once instead of compiling llama.cpp for minutes.
  llama ??= (async () => {
    llamaCpp = (await import(init!.module)) as typeof LlamaCpp;
    // The binary's bundled copy cannot self-test its addon in a subprocess (there is no separate
    // runtime to spawn), and node-llama-cpp says so in three lines at every start: expected, dropped.
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void (/testBindingBinary|Assuming the test passed|is not bundled together/.test(String(args[0])) || warn(...args));
    try {
      return await llamaCpp.getLlama({ gpu: false, build: "never", maxThreads: init!.threads, logLevel: "error" as never });
    } finally {
      console.warn = warn;
    }
  })().catch((err: unknown) => {
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
      try {
        const model = await l.loadModel({ modelPath });
        // Resolving the chat wrapper from the model's template is slow; once per model.
        return { model, wrapper: llamaCpp!.resolveChatWrapper(model) };
      } catch (err) {
        throw new LoadError(err instanceof Error ? err.message : String(err));
      }
    });
    entry.catch(() => models.delete(modelPath));
  }
  models.set(modelPath, entry);
  for (const [path, old] of models) {
    if (models.size <= MAX_MODELS) break;
    if (path === modelPath || inUse.get(path)) continue;
    models.delete(path);
    const slots = idleSlots.get(path) ?? [];
    idleSlots.delete(path);
    void Promise.all(slots.map((s) => s.context.dispose()))
      .then(() => old)
      .then((m) => m.model.dispose())
      .catch(() => undefined);
  }
  return entry;
}

function history(turns: ChatTurn[]): ChatHistoryItem[] {
  return turns.map(
    (t): ChatHistoryItem => (t.role === "system" ? { type: "system", text: t.content } : t.role === "user" ? { type: "user", text: t.content } : { type: "model", response: [t.content] }),
  );
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
  inUse.set(req.modelPath, (inUse.get(req.modelPath) ?? 0) + 1);
  try {
    await run(req, ctrl, tokens);
  } finally {
    inUse.set(req.modelPath, inUse.get(req.modelPath)! - 1);
    tokens.flush();
    running.delete(req.id);
  }
}

async function run(req: Extract<AiRequest, { op: "chat" | "complete" }>, ctrl: AbortController, tokens: ReturnType<typeof tokenSender>): Promise<void> {
  const { model, wrapper } = await load(req.modelPath);
  const slot = await takeSlot(req.modelPath, model, req.contextSize);
  const { sequence } = slot;
  const inputBefore = sequence.tokenMeter.usedInputTokens;
  try {
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
      const session = new llamaCpp!.LlamaChatSession({ contextSequence: sequence, chatWrapper: wrapper ?? "auto", autoDisposeSequence: false });
      try {
        const last = req.messages.at(-1)!;
        session.setChatHistory(history(req.messages.slice(0, -1)));
        const result = await session.promptWithMeta(last.content, options);
        text = result.responseText;
        stop = result.stopReason;
      } finally {
        session.dispose({ disposeSequence: false });
      }
    } else {
      const completion = new llamaCpp!.LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
      try {
        const result = await completion.generateCompletionWithMeta(req.prompt, options);
        text = result.response;
        stop = result.metadata.stopReason;
      } finally {
        completion.dispose({ disposeSequence: false });
      }
    }
    tokens.flush();
    const generated = model.tokenize(text).length;
    const promptTokens = sequence.tokenMeter.usedInputTokens - inputBefore;
    send({ id: req.id, t: "done", text, tokens: generated, promptTokens, reason: ctrl.signal.aborted ? "cancelled" : stop === "maxTokens" ? "length" : "stop" });
  } finally {
    await returnSlot(req.modelPath, slot);
  }
}

async function inspect(req: Extract<AiRequest, { op: "inspect" }>): Promise<void> {
  const { model } = await load(req.modelPath);
  send({
    id: req.id,
    t: "info",
    architecture: String(model.fileInfo.metadata.general.architecture),
    parameters: Number(model.fileInsights.totalParameters ?? 0),
    contextLength: model.trainContextSize,
    sizeBytes: model.size,
  });
}

self.onmessage = (e: MessageEvent<AiWorkerInit | AiRequest>) => {
  if (!init) {
    init = e.data as AiWorkerInit;
    return;
  }
  const req = e.data as AiRequest;
  if (req.op === "cancel") return void running.get(req.id)?.abort();
  const work = req.op === "inspect" ? inspect(req) : generate(req);
  work.catch((err: unknown) =>
    send({ id: req.id, t: "error", message: err instanceof Error ? err.message : String(err), stage: err instanceof EngineError ? "engine" : err instanceof LoadError ? "load" : "generate" }),
  );
};
