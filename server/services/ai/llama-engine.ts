// The built-in llama.cpp engine: a worker thread (workers/ai.worker.ts) that runs one generation
// per slot, with a bounded queue, a token cap and a time limit. Cancelling stops llama.cpp itself.
import type { AiConfig } from "../../config.ts";
import { AppError, fail, ServiceUnavailableError } from "../../errors.ts";
import { workerUrl } from "../../worker-url.ts";
import type { AiEvent, AiRequest, AiWorkerInit, ChatTurn } from "../../../workers/ai-protocol.ts";
import type { GenerateOptions, Generation } from "./provider.ts";

type Listener = (event: AiEvent) => void;
type Job = Extract<AiRequest, { op: "chat" | "complete" }>;
type JobInput = { op: "chat"; modelPath: string; messages: ChatTurn[] } | { op: "complete"; modelPath: string; prompt: string };

export class ModelLoadError extends AppError {
  constructor(detail: string) {
    super(500, "model_load_failed", `The model could not be loaded: ${detail}`);
  }
}

const stopping = () => new ServiceUnavailableError("The node is stopping", "ai_engine_unavailable");

export class LlamaEngine {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly listeners = new Map<number, Listener>();
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private failure: Error | null = null;
  /** The node is shutting down: no worker starts any more, even one whose runtime was unpacking. */
  private stopped = false;

  constructor(
    private readonly config: AiConfig,
    /** Where the worker imports node-llama-cpp from (unpacking it first in the single binary). */
    private readonly module: () => Promise<string>,
  ) {}

  private starting: Promise<Worker> | null = null;

  private async ensure(): Promise<Worker> {
    if (this.stopped) throw stopping();
    if (this.failure) throw new ServiceUnavailableError(`The AI engine failed: ${this.failure.message}`, "ai_engine_unavailable");
    if (this.worker) return this.worker;
    // Callers that arrive while the runtime unpacks share the one worker.
    this.starting ??= this.startWorker().finally(() => (this.starting = null));
    return this.starting;
  }

  private async startWorker(): Promise<Worker> {
    let module: string;
    try {
      module = await this.module();
    } catch (err) {
      throw new ServiceUnavailableError(`The built-in AI engine could not be unpacked: ${(err as Error).message}`, "ai_engine_unavailable");
    }
    if (this.stopped) throw stopping();
    const worker = new Worker(workerUrl("ai.worker.ts"));
    worker.onmessage = (e: MessageEvent<AiEvent>) => this.listeners.get(e.data.id)?.(e.data);
    worker.onerror = (e) => {
      this.failure = new Error(e.message);
      for (const [id, l] of this.listeners) l({ id, t: "error", message: `the AI worker failed: ${e.message}`, stage: "engine" });
    };
    worker.postMessage({ threads: this.config.threads, module } satisfies AiWorkerInit);
    this.worker = worker;
    return worker;
  }

  stop(): void {
    this.stopped = true;
    this.worker?.terminate();
    this.worker = null;
    for (const w of this.waiting.splice(0)) w();
  }

  /** Wait for a free slot; refuse at once when the queue is full. */
  private async slot(signal?: AbortSignal): Promise<boolean> {
    if (this.active < this.config.maxConcurrent) {
      this.active++;
      return true;
    }
    if (this.waiting.length >= this.config.maxQueue) throw new ServiceUnavailableError("The AI engine is busy; try again shortly", "ai_busy");
    return new Promise((resolve) => {
      const go = () => {
        signal?.removeEventListener("abort", cancel);
        this.active++;
        resolve(true);
      };
      const cancel = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(false);
      };
      this.waiting.push(go);
      signal?.addEventListener("abort", cancel, { once: true });
    });
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  chat(modelPath: string, messages: ChatTurn[], options: GenerateOptions): Promise<Generation> {
    return this.generate({ op: "chat", modelPath, messages }, options);
  }

  complete(modelPath: string, prompt: string, options: GenerateOptions): Promise<Generation> {
    return this.generate({ op: "complete", modelPath, prompt }, options);
  }

  /** Load `modelPath` and report what it is (a malformed file fails here). */
  async inspect(modelPath: string): Promise<Extract<AiEvent, { t: "info" }>> {
    const worker = await this.ensure();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.listeners.set(id, (e) => {
        this.listeners.delete(id);
        if (e.t === "info") resolve(e);
        else if (e.t === "error" && e.stage === "engine") reject(new ServiceUnavailableError(`The built-in AI engine could not start: ${e.message}`, "ai_engine_unavailable"));
        else reject(new ModelLoadError(e.t === "error" ? e.message : "no answer"));
      });
      worker.postMessage({ id, op: "inspect", modelPath } satisfies AiRequest);
    });
  }

  private async generate(input: JobInput, options: GenerateOptions): Promise<Generation> {
    const worker = await this.ensure();
    if (!(await this.slot(options.signal))) return { text: "", promptTokens: 0, tokens: 0, reason: "cancelled" };
    const id = this.nextId++;
    let timedOut = false;
    const cancel = () => worker.postMessage({ id, op: "cancel" } satisfies AiRequest);
    const timer = setTimeout(() => ((timedOut = true), cancel()), this.config.timeoutMs);
    options.signal?.addEventListener("abort", cancel, { once: true });
    try {
      return await new Promise<Generation>((resolve, reject) => {
        this.listeners.set(id, (e) => {
          if (e.t === "token") return options.onToken(e.text);
          this.listeners.delete(id);
          if (e.t === "done") resolve({ text: e.text, promptTokens: e.promptTokens, tokens: e.tokens, reason: timedOut ? "timeout" : e.reason });
          else if (e.t === "error" && e.stage === "load") reject(new ModelLoadError(e.message));
          else if (e.t === "error" && e.stage === "engine") reject(new ServiceUnavailableError(`The built-in AI engine could not start: ${e.message}`, "ai_engine_unavailable"));
          else reject(fail("ai_generation_failed", `The generation failed: ${e.t === "error" ? e.message : "unexpected answer"}`));
        });
        const job: Job = { ...input, id, maxTokens: Math.min(options.maxTokens, this.config.maxTokens), contextSize: this.config.contextSize, temperature: options.temperature } as Job;
        worker.postMessage(job);
      });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", cancel);
      this.release();
    }
  }
}
