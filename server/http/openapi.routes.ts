// GET /api/openapi.json (the document, for tools and code generators) and GET /api/docs (the same
// document as a page the node renders itself: nothing loaded from elsewhere, no script). Public,
// as the API's shape is no secret; built once, on first ask (the generator is loaded then too: it
// cost ~12 ms of every start-up).
import { type AnyElysia, Elysia } from "elysia";
import { renderApiDocs } from "./openapi-page.ts";
import { DESKTOP_CSP } from "./security-headers.ts";

export function openapiRoutes(app: () => AnyElysia, version: string) {
  let doc: Promise<Record<string, unknown>> | null = null;
  const document = () =>
    (doc ??= import("./openapi-document.ts")
      .then((m) => m.buildOpenApiDocument(app(), version))
      .catch((err) => {
        doc = null;
        throw err;
      }));
  return new Elysia({ name: "openapi.routes" })
    .get("/api/openapi.json", async () => Response.json(await document(), { headers: { "cache-control": "no-cache" } }))
    .get("/api/docs", async () => new Response(renderApiDocs(await document()), { headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": DESKTOP_CSP } }));
}
