// The file API for the desktop's apps: read a file's text, save text over a file (the Puter routes).
import { ApiError } from "./rest-client.ts";

async function failure(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { code?: string; message?: string } | null;
  return new ApiError(res.status, body?.code ?? "http_error", body?.message ?? `HTTP ${res.status}`);
}

/** A file's content as text (UTF-8), by uid or path. */
export async function readText(file: string): Promise<string> {
  const res = await fetch(`/read?file=${encodeURIComponent(file)}`, { credentials: "same-origin" });
  if (!res.ok) throw await failure(res);
  return new TextDecoder().decode(await res.arrayBuffer());
}

/** Save `text` as the file `name` in the folder `dir` (a "/<address>/…" or "~/…" path), replacing it. */
export async function writeText(dir: string, name: string, text: string): Promise<void> {
  const form = new FormData();
  form.append("path", dir);
  form.append("name", name);
  form.append("overwrite", "true");
  form.append("file", new Blob([text], { type: "text/plain" }), name);
  const res = await fetch("/write", { method: "POST", credentials: "same-origin", body: form });
  if (!res.ok) throw await failure(res);
}
