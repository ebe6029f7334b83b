// Serving file bytes: Range (single range), ETag = CID, If-None-Match, streamed from disk.
import type { FsEntryRow } from "./fs-entry.ts";

export function parseRange(header: string | null, size: number): { start: number; end: number } | null | "unsatisfiable" {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null; // multiple or malformed ranges: send the whole file
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || start > end) return "unsatisfiable";
  return { start, end };
}

function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export interface ServeOptions {
  /** Puter's /read always answers application/octet-stream; /ipfs and downloads use the real type. */
  contentType: string;
  disposition?: "inline" | "attachment";
}

/** Serve a file's bytes (callers pass files only: /read refuses folders, /ipfs finds files by CID). */
export function fileResponse(request: Request, entry: FsEntryRow, file: Blob, opts: ServeOptions): Response {
  const size = file.size;
  const etag = `"${entry.cid}"`;
  const headers: Record<string, string> = {
    "content-type": opts.contentType,
    etag,
    "last-modified": new Date(entry.modified).toUTCString(),
    "accept-ranges": "bytes",
    "cache-control": "private, no-cache",
    "content-disposition": contentDisposition(opts.disposition ?? "inline", entry.name),
  };
  const match = request.headers.get("if-none-match");
  if (match && match.split(",").some((t) => t.trim() === etag || t.trim() === "*")) return new Response(null, { status: 304, headers });
  const range = parseRange(request.headers.get("range"), size);
  if (range === "unsatisfiable") {
    return new Response(JSON.stringify({ error: "Range not satisfiable", code: "range_not_satisfiable", message: "Range not satisfiable" }), {
      status: 416,
      headers: { "content-type": "application/json", "content-range": `bytes */${size}` },
    });
  }
  if (!range) return new Response(file, { status: 200, headers: { ...headers, "content-length": String(size) } });
  return new Response(file.slice(range.start, range.end + 1), {
    status: 206,
    headers: { ...headers, "content-range": `bytes ${range.start}-${range.end}/${size}`, "content-length": String(range.end - range.start + 1) },
  });
}
