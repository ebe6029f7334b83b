// Uploads from the desktop, with real progress and cancel: small files in one POST /write, large ones
// through the resumable API in 8 MiB chunks (a dropped chunk is retried from the node's offset).
export interface UploadItem {
  id: number;
  name: string;
  size: number;
  loaded: number;
  state: "uploading" | "done" | "failed" | "cancelled";
  error?: string;
  cancel: () => void;
}

export const RESUMABLE_FROM = 64 * 1024 * 1024;
const CHUNK = 8 * 1024 * 1024;
let nextId = 1;

/** One XHR (for its upload progress events); resolves with status and body text. */
function send(method: string, url: string, body: XMLHttpRequestBodyInit, onProgress: (loaded: number) => void, bind: (xhr: XMLHttpRequest) => void): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    bind(xhr);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => reject(new Error("The connection failed"));
    xhr.onabort = () => reject(Object.assign(new Error("cancelled"), { name: "AbortError" }));
    xhr.open(method, url);
    if (typeof body === "string") xhr.setRequestHeader("content-type", "application/json");
    else if (body instanceof Blob && !(body instanceof File)) xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.send(body);
  });
}

function messageOf(text: string, status: number): string {
  try {
    return JSON.parse(text).message;
  } catch {
    return `HTTP ${status}`;
  }
}

/** Start uploading `file` into folder `dir` ("~/…"); `onChange` is called on every step. */
export function uploadFile(dir: string, file: File, onChange: (item: UploadItem) => void): UploadItem {
  let current: XMLHttpRequest | null = null;
  let cancelled = false;
  let uploadId: string | null = null;
  const item: UploadItem = {
    id: nextId++,
    name: file.name,
    size: file.size,
    loaded: 0,
    state: "uploading",
    cancel: () => {
      cancelled = true;
      current?.abort();
      if (uploadId) void fetch(`/api/files/uploads/${uploadId}`, { method: "DELETE", credentials: "same-origin" });
    },
  };
  const bind = (x: XMLHttpRequest) => (current = x);
  const finish = (state: UploadItem["state"], error?: string) => {
    item.state = state;
    item.error = error;
    if (state === "done") item.loaded = item.size;
    onChange(item);
  };

  const run = async () => {
    if (file.size < RESUMABLE_FROM) {
      const form = new FormData();
      for (const [k, v] of [
        ["path", dir],
        ["name", file.name],
        ["size", String(file.size)],
        ["dedupe_name", "true"],
      ])
        form.append(k!, v!);
      form.append("file", file, file.name);
      const r = await send("POST", "/write", form, (n) => ((item.loaded = n), onChange(item)), bind);
      return r.status === 200 ? finish("done") : finish("failed", messageOf(r.text, r.status));
    }
    const created = await send("POST", "/api/files/uploads", JSON.stringify({ path: `${dir}/${file.name}`, size: file.size, dedupe_name: true }), () => {}, bind);
    if (created.status !== 201) return finish("failed", messageOf(created.text, created.status));
    uploadId = JSON.parse(created.text).id as string;
    let offset = 0;
    let retries = 0;
    while (offset < file.size) {
      if (cancelled) return;
      const end = Math.min(file.size, offset + CHUNK);
      try {
        const r = await send("PUT", `/api/files/uploads/${uploadId}?offset=${offset}`, file.slice(offset, end), (n) => ((item.loaded = offset + n), onChange(item)), bind);
        if (r.status === 409 || r.status >= 500) throw new Error(messageOf(r.text, r.status));
        if (r.status !== 200) return finish("failed", messageOf(r.text, r.status));
        offset = JSON.parse(r.text).offset;
        retries = 0;
      } catch (err) {
        if ((err as Error).name === "AbortError" || ++retries > 5) throw err;
        // Resume from what the node actually has.
        const status = await fetch(`/api/files/uploads/${uploadId}`, { credentials: "same-origin" }).then((x) => x.json());
        offset = status.offset;
      }
    }
    const done = await send("POST", `/api/files/uploads/${uploadId}/complete`, JSON.stringify({}), () => {}, bind);
    return done.status === 200 ? finish("done") : finish("failed", messageOf(done.text, done.status));
  };

  run().catch((err) => (cancelled || (err as Error).name === "AbortError" ? finish("cancelled") : finish("failed", (err as Error).message)));
  return item;
}
