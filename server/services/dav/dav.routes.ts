// WebDAV at /dav/ (the caller's own files): every method of dav.service.ts on /dav and below it.
// The role table gives read methods to the files:read scope and changes to files:write; clients
// sign in with HTTP Basic whose password is an API token (auth-guard.ts).
import { Elysia } from "elysia";
import { principalOf } from "../../http/auth-guard.ts";
import { DAV_METHODS, type DavService } from "./dav.service.ts";

export function davRoutes(dav: DavService) {
  const app = new Elysia({ name: "dav.routes" });
  // Bodies (XML, a PUT's bytes) are read by the service itself, unparsed; see app.ts's onParse.
  const hooks = { detail: { requestBody: { required: false, content: { "*/*": { schema: { type: "string" as const, format: "binary" } } } } } };
  // HEAD is answered by the GET route (and checked as GET by the role table).
  for (const method of DAV_METHODS.filter((m) => m !== "HEAD")) {
    app.route(method, "/dav", ({ request }) => dav.handle(principalOf(request).address, request), hooks);
    app.route(method, "/dav/*", ({ request }) => dav.handle(principalOf(request).address, request), hooks);
  }
  return app;
}
