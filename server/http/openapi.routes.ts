// GET /api/openapi.json (the document, for tools and code generators) and GET /api/docs (the same
// document as a page the node renders itself: nothing loaded from elsewhere, no script). Public,
// as the API's shape is no secret; built once, on first ask.
import { type AnyElysia, Elysia } from "elysia";
import { buildOpenApiDocument } from "./openapi-document.ts";
import { renderApiDocs } from "./openapi-page.ts";
import { DESKTOP_CSP } from "./security-headers.ts";

export function openapiRoutes(app: () => AnyElysia, version: string) {
  let doc: Record<string, unknown> | null = null;
  const document = () => (doc ??= buildOpenApiDocument(app(), version));
  return new Elysia({ name: "openapi.routes" })
    .get("/api/openapi.json", () => Response.json(document(), { headers: { "cache-control": "no-cache" } }))
    .get("/api/docs", () => new Response(renderApiDocs(document()), { headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": DESKTOP_CSP } }));
}
