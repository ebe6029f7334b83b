// The built-in engine's life: a node stopping while the runtime unpacks (the first request in the
// single binary) starts no worker thread afterwards, and refuses work once stopped.
import { afterEach, expect, test } from "bun:test";
import type { AiConfig } from "../../server/config.ts";
import { LlamaEngine } from "../../server/services/ai/llama-engine.ts";

const CONFIG = { threads: 1, maxConcurrent: 1, maxQueue: 1, maxTokens: 16, contextSize: 256, timeoutMs: 1000, ollamaStores: [] } as unknown as AiConfig;
const RealWorker = globalThis.Worker;
afterEach(() => {
  globalThis.Worker = RealWorker;
});

test("stopped while the runtime unpacks: no worker starts, the waiting call is refused", async () => {
  let started = 0;
  globalThis.Worker = class {
    constructor() {
      started++;
      throw new Error("a worker was started");
    }
  } as unknown as typeof Worker;
  let unpacked!: (path: string) => void;
  const engine = new LlamaEngine(CONFIG, () => new Promise<string>((resolve) => (unpacked = resolve)));
  const pending = engine.inspect("/models/none.gguf");
  await Bun.sleep(0);
  engine.stop();
  unpacked("/runtime/node-llama-cpp");
  await expect(pending).rejects.toMatchObject({ code: "ai_engine_unavailable", message: "The node is stopping" });
  await expect(engine.inspect("/models/none.gguf")).rejects.toMatchObject({ code: "ai_engine_unavailable" });
  expect(started).toBe(0);
});
