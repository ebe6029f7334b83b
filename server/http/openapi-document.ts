// The node's OpenAPI 3.1 document, generated from the same schemas that validate input (Elysia's
// own generator, @elysiajs/openapi's toOpenAPISchema), completed with what the generator cannot
// know: JSON request bodies (the app parses JSON itself, so the generator sees no content type),
// wildcard paths as parameters, and who may call each operation (the role table), as security
// requirements and x-pc2-access. WebDAV's own methods are not HTTP's (OpenAPI 3.1 cannot list
// them): /dav/ names them in x-webdav-methods.
import { toOpenAPISchema } from "@elysiajs/openapi";
import type { AnyElysia } from "elysia";
import { SCOPES } from "../principal.ts";
import { SESSION_COOKIE } from "./cookies.ts";
import { HTTP_ACCESS } from "./roles.ts";

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

type Json = Record<string, unknown>;

/** A trailing wildcard as OpenAPI writes it: ".../*" → ".../{path}". */
const namedRest = (path: string) => path.replace(/\/\*$/, "/{path}");

/** "/fn/:owner/:name/*" → "/fn/{owner}/{name}/{path}", as OpenAPI writes paths. */
export function openApiPath(route: string): string {
  return namedRest(route.replace(/:(\w+)/g, "{$1}"));
}

export function buildOpenApiDocument(app: AnyElysia, version: string): Json {
  const generated = toOpenAPISchema(app, { staticFile: false }, undefined, undefined, "3.1.0") as { paths: Record<string, Json>; components?: Json };
  const paths: Record<string, Record<string, Json>> = {};
  // The generator already writes {name} parameters; only its trailing "*" needs a name.
  for (const [path, item] of Object.entries(generated.paths)) paths[namedRest(path)] = item as Record<string, Json>;

  for (const route of app.routes) {
    const method = route.method.toLowerCase();
    const path = openApiPath(route.path);
    const item = paths[path];
    if (!item) continue;
    if (!HTTP_METHODS.has(method) || (method === "options" && route.path.startsWith("/dav"))) {
      // WebDAV's own methods (and its OPTIONS, which the generator leaves out): named on the path, described in docs/webdav.md.
      const named = new Set<string>((item["x-webdav-methods"] as unknown as string[]) ?? []);
      named.add(route.method);
      (item as Json)["x-webdav-methods"] = [...named].sort();
      delete item[method];
      continue;
    }
    const op = item[method];
    if (!op) continue;
    // A JSON body the app parses itself: the route's own schema, as application/json.
    const body = (route.hooks as { body?: unknown }).body;
    const requestBody = op.requestBody as { content?: Json } | undefined;
    if (body && typeof body === "object" && requestBody && Object.keys(requestBody.content ?? {}).length === 0)
      requestBody.content = { "application/json": { schema: JSON.parse(JSON.stringify(body)) } };
    if (route.path.endsWith("/*")) {
      const parameters = ((op.parameters as Json[]) ?? []).filter((p) => p.name !== "*");
      parameters.push({ name: "path", in: "path", required: true, description: "The rest of the path (it may contain /)", schema: { type: "string" } });
      op.parameters = parameters;
    }
    const access = HTTP_ACCESS[`${route.method === "HEAD" ? "GET" : route.method} ${route.path}`];
    if (access) {
      op["x-pc2-access"] = { role: access.role, scopes: access.scopes ?? null };
      if (access.role === null) op.security = [];
      else {
        const requirements: Json[] = [{ session: [] }];
        if (access.scopes) requirements.push({ token: [...access.scopes] });
        if (access.scopes && route.path.startsWith("/dav")) requirements.push({ webdavBasic: [...access.scopes] });
        op.security = requirements;
      }
    }
  }
  for (const item of Object.values(paths)) for (const key of Object.keys(item)) if (!HTTP_METHODS.has(key) && !key.startsWith("x-") && key !== "parameters") delete item[key];

  return {
    openapi: "3.1.0",
    info: {
      title: "PC2",
      version,
      description: "The PC2 node's HTTP API. Errors are JSON { error, code, message }. The WebSocket API (/ws) is described in docs/websocket-api.md.",
    },
    paths,
    components: {
      ...(generated.components ?? {}),
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: "The desktop's session, after signing in with a wallet (SIWE)" },
        token: { type: "http", scheme: "bearer", description: `An API token (its scopes: ${SCOPES.join(", ")}), or a session token` },
        webdavBasic: { type: "http", scheme: "basic", description: "WebDAV only: any user name, an API token as the password" },
      },
    },
  };
}
