// The built-in provider: GGUF files in data/models and the models Ollama has pulled on this
// machine, run by llama.cpp in the AI worker. Nothing else to install.
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { NotFoundError } from "../../errors.ts";
import type { LlamaEngine } from "./llama-engine.ts";
import { ollamaStoreModel, ollamaStoreModels } from "./ollama-store.ts";
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

  /** A GGUF file in the models folder, or null. */
  private folderModel(file: string): { path: string; sizeBytes: number; modifiedAt: Date } | null {
    const path = join(this.modelsDir, file);
    const st = statSync(path, { throwIfNoEntry: false });
    return st?.isFile() && isGguf(path) ? { path, sizeBytes: st.size, modifiedAt: st.mtime } : null;
  }

  async models(): Promise<ModelInfo[]> {
    const out = new Map<string, ModelInfo>();
    const add = (name: string, f: { sizeBytes: number; modifiedAt: Date }, source: string) => {
      if (!out.has(name)) out.set(name, { id: `local/${name}`, provider: "local", name, sizeBytes: f.sizeBytes, modifiedAt: f.modifiedAt.toISOString(), details: { format: "gguf", source } });
    };
    // data/models/<name>.gguf first, then Ollama's stores.
    const files = existsSync(this.modelsDir)
      ? readdirSync(this.modelsDir)
          .filter((f) => f.endsWith(".gguf"))
          .sort()
      : [];
    for (const f of files) {
      const found = this.folderModel(f);
      if (found) add(f.slice(0, -5), found, "models folder");
    }
    for (const m of ollamaStoreModels(this.ollamaStores)) add(m.name, m, "ollama store");
    return [...out.values()];
  }

  /** The file of one model, looked up by its name alone (no listing on the chat path). */
  private path(model: string): string {
    const file = (!model.includes("/") && this.folderModel(`${model}.gguf`)) || ollamaStoreModel(this.ollamaStores, model);
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
