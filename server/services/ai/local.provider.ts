// The built-in provider: GGUF files in data/models and the models Ollama has pulled on this
// machine, run by llama.cpp in the AI worker. Nothing else to install.
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { NotFoundError } from "../../errors.ts";
import type { LlamaEngine } from "./llama-engine.ts";
import { ollamaStoreModels } from "./ollama-store.ts";
import type { AiProvider, ChatTurn, GenerateOptions, Generation, ModelInfo } from "./provider.ts";

/** Whether `path` starts with the GGUF magic. */
function isGguf(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.toString("latin1") === "GGUF";
  } finally {
    closeSync(fd);
  }
}

export class LocalProvider implements AiProvider {
  readonly id = "local" as const;

  constructor(
    private readonly engine: LlamaEngine,
    private readonly modelsDir: string,
    private readonly ollamaStores: string[],
  ) {}

  /** name → file: data/models/<name>.gguf first, then Ollama's stores. */
  private files(): Map<string, { path: string; sizeBytes: number; source: string }> {
    const out = new Map<string, { path: string; sizeBytes: number; source: string }>();
    if (existsSync(this.modelsDir)) {
      for (const f of readdirSync(this.modelsDir).sort()) {
        const path = join(this.modelsDir, f);
        if (!f.endsWith(".gguf") || !statSync(path).isFile() || !isGguf(path)) continue;
        out.set(f.slice(0, -5), { path, sizeBytes: statSync(path).size, source: "models folder" });
      }
    }
    for (const m of ollamaStoreModels(this.ollamaStores)) if (!out.has(m.name)) out.set(m.name, { path: m.path, sizeBytes: m.sizeBytes, source: "ollama store" });
    return out;
  }

  async models(): Promise<ModelInfo[]> {
    return [...this.files()].map(([name, f]) => ({ id: `local/${name}`, provider: "local", name, sizeBytes: f.sizeBytes, details: { format: "gguf", source: f.source } }));
  }

  private path(model: string): string {
    const file = this.files().get(model);
    if (!file) throw new NotFoundError(`No built-in model named ${model.slice(0, 100)}`, "model_not_found");
    return file.path;
  }

  check(_owner: string, model: string): void {
    this.path(model);
  }

  chat(_owner: string, model: string, messages: ChatTurn[], options: GenerateOptions): Promise<Generation> {
    return this.engine.chat(this.path(model), messages, options);
  }

  complete(_owner: string, model: string, prompt: string, options: GenerateOptions): Promise<Generation> {
    return this.engine.complete(this.path(model), prompt, options);
  }

  /** Architecture, parameters and context length, from the file itself. */
  inspect(model: string) {
    return this.engine.inspect(this.path(model));
  }
}
