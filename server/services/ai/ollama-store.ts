// Models Ollama has already pulled on this machine, read from its store: manifests/<host>/<ns>/<name>/<tag>
// (Docker manifest v2 JSON) → the layer of type application/vnd.ollama.image.model → blobs/sha256-<hex>,
// a plain GGUF file. Nothing in the store is trusted: digests are checked before they become paths.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const MODEL_LAYER = "application/vnd.ollama.image.model";
const DEFAULT_HOST = "registry.ollama.ai";
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface StoredModel {
  /** As Ollama names it: "llama3.2:latest", or "<ns>/<name>:<tag>" outside the library. */
  name: string;
  path: string;
  sizeBytes: number;
  modifiedAt: Date;
}

function dirs(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true })
      .filter((d) => d.isDirectory() && SEGMENT.test(d.name))
      .map((d) => d.name);
  } catch {
    return [];
  }
}

function modelBlob(root: string, manifestPath: string): { path: string; sizeBytes: number; modifiedAt: Date } | null {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { layers?: { mediaType?: unknown; digest?: unknown }[] };
    const layer = manifest.layers?.find((l) => l.mediaType === MODEL_LAYER);
    if (!layer || typeof layer.digest !== "string" || !DIGEST.test(layer.digest)) return null;
    const path = join(root, "blobs", layer.digest.replace(":", "-"));
    const st = statSync(path);
    return st.isFile() ? { path, sizeBytes: st.size, modifiedAt: statSync(manifestPath).mtime } : null;
  } catch {
    return null; // unreadable or malformed: not a model we can offer
  }
}

function nameOf(host: string, ns: string, model: string, tag: string): string {
  const prefix = host === DEFAULT_HOST ? (ns === "library" ? "" : `${ns}/`) : `${host}/${ns}/`;
  return `${prefix}${model}:${tag}`;
}

/** The one model called `name` ("llama3.2", "llama3.2:1b", "ns/model:tag", "host/ns/model:tag"), read from its manifest alone. */
export function ollamaStoreModel(roots: string[], name: string): StoredModel | null {
  const colon = name.lastIndexOf(":");
  const [ref, tag] = colon > name.lastIndexOf("/") ? [name.slice(0, colon), name.slice(colon + 1)] : [name, "latest"];
  const parts = ref.split("/");
  const [host, ns, model] = parts.length === 3 ? parts : parts.length === 2 ? [DEFAULT_HOST, ...parts] : [DEFAULT_HOST, "library", parts[0]];
  if (![host, ns, model, tag].every((p) => p !== undefined && SEGMENT.test(p))) return null;
  for (const root of roots) {
    const blob = modelBlob(root, join(root, "manifests", host!, ns!, model!, tag));
    if (blob) return { name: nameOf(host!, ns!, model!, tag), ...blob };
  }
  return null;
}

/** Every GGUF model in the given stores (the first store wins on a name clash). */
export function ollamaStoreModels(roots: string[]): StoredModel[] {
  const found = new Map<string, StoredModel>();
  for (const root of roots) {
    const manifests = join(root, "manifests");
    if (!existsSync(manifests)) continue;
    for (const host of dirs(manifests))
      for (const ns of dirs(join(manifests, host)))
        for (const model of dirs(join(manifests, host, ns))) {
          const dir = join(manifests, host, ns, model);
          let tags: string[] = [];
          try {
            tags = readdirSync(dir).filter((t) => SEGMENT.test(t));
          } catch {
            continue;
          }
          for (const tag of tags) {
            const blob = modelBlob(root, join(dir, tag));
            if (!blob) continue;
            const name = nameOf(host, ns, model, tag);
            if (!found.has(name)) found.set(name, { name, ...blob });
          }
        }
  }
  return [...found.values()];
}
