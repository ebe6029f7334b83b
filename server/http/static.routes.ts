// Serves the desktop: "/" is index.html; other files by exact name; anything else falls to the 404 handler.
import { Elysia } from "elysia";
import { NotFoundError } from "../errors.ts";
import type { AssetStore } from "./static-assets.ts";
import { DESKTOP_CSP } from "./security-headers.ts";

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
    return asset.file;
  });
}
