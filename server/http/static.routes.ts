// Serves the desktop: "/" is index.html; other files by exact name (gzipped at build time, sent so to
// browsers that accept it); anything else falls to the 404 handler.
import { Elysia } from "elysia";
import { NotFoundError } from "../errors.ts";
import type { AssetStore } from "./static-assets.ts";
import { DESKTOP_CSP } from "./security-headers.ts";

/** Whether Accept-Encoding allows gzip (listed, or *, and not with q=0). */
export function acceptsGzip(header: string | null): boolean {
  for (const part of (header ?? "").toLowerCase().split(",")) {
    const [coding, ...params] = part.trim().split(";");
    if (coding !== "gzip" && coding !== "*") continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    return q === undefined || Number(q) > 0;
  }
  return false;
}

export function staticRoutes(assets: AssetStore) {
  return new Elysia({ name: "static.routes" }).get("/*", ({ request, set }) => {
    const path = new URL(request.url).pathname;
    const asset = assets.get(path);
    if (!asset) {
      throw path === "/" ? new NotFoundError("The desktop is not built; run `bun run build:web` (npm start does it for you)", "desktop_not_built") : new NotFoundError(`No route for GET ${path}`);
    }
    set.headers["content-type"] = asset.file.type || "application/octet-stream";
    set.headers["cache-control"] = asset.immutable ? "public, max-age=31536000, immutable" : "no-cache";
    if (asset.file.type.startsWith("text/html")) set.headers["content-security-policy"] = DESKTOP_CSP;
    if (!asset.gzip) return asset.file;
    set.headers.vary = "accept-encoding";
    if (!acceptsGzip(request.headers.get("accept-encoding"))) return asset.file;
    set.headers["content-encoding"] = "gzip";
    return asset.gzip;
  });
}
