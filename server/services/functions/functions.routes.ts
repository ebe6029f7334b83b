// HTTP for edge functions: the deployer's API under /api/functions (Owner and Admins), and the
// functions themselves under /fn/<owner>/<name>/ (public ones for anyone, private ones for the
// node's signed-in users), proxied with the header policy of function-headers.ts.
import { Elysia } from "elysia";
import { fail, ValidationError } from "../../errors.ts";
import { credentialOf, optionalPrincipalOf, principalOf } from "../../http/auth-guard.ts";
import type { BodyLimits } from "../../http/body-limits.ts";
import { clientIp, requestHost, requestProtocol } from "../../http/request-meta.ts";
import { isWebSocketRequest, upgradeTo } from "../../http/socket-upgrade.ts";
import { parseAllowedHosts } from "./allowed-hosts.ts";
import { MAX_SOURCE_BYTES } from "./function-bundler.ts";
import { fromFunction, toFunctionHeaders } from "./function-headers.ts";
import { originalOf } from "./function-subdomains.ts";
import type { FunctionsService } from "./functions.service.ts";
import { DeployBody, FunctionParams, InvokeParams, RollbackBody, SecretsBody, UpdateBody } from "./functions.schemas.ts";

const owner = (request: Request) => principalOf(request).address;

/** The methods a function answers (HEAD is answered as GET). */
export const FUNCTION_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** A deploy carries the function's files as JSON strings: room for the largest and its escaping. */
export const FUNCTION_BODY_LIMITS: BodyLimits = {
  "POST /api/functions": { bytes: 2 * MAX_SOURCE_BYTES, tooLarge: () => fail("function_too_large", `A function's files may hold ${MAX_SOURCE_BYTES} bytes at most`) },
};

function hosts(list: string[] | undefined): string[] | undefined {
  if (!list) return undefined;
  try {
    return parseAllowedHosts(list);
  } catch (err) {
    throw new ValidationError((err as Error).message, { field: "allowedHosts" });
  }
}

export function functionsRoutes(functions: FunctionsService) {
  const app = new Elysia({ name: "functions.routes" })
    .get("/api/functions", async ({ request }) => ({ functions: functions.list(owner(request)), domain: functions.hosts?.domain ?? null, ...(await functions.status()) }))
    .post(
      "/api/functions",
      async ({ request, body, set }) => {
        if ((body.files === undefined) === (body.folder === undefined))
          throw new ValidationError("Send the function's files, or the folder of your storage that holds them (one of the two)", { field: "files" });
        const created = await functions.deploy(owner(request), { ...body, allowedHosts: hosts(body.allowedHosts) });
        set.status = 201;
        return { function: created };
      },
      { body: DeployBody },
    )
    .get("/api/functions/:name", ({ request, params }) => ({ function: functions.get(owner(request), params.name) }), { params: FunctionParams })
    .patch(
      "/api/functions/:name",
      ({ request, params, body }) => ({ function: functions.update(owner(request), params.name, { ...body, allowedHosts: hosts(body.allowedHosts) }, principalOf(request).role) }),
      {
        params: FunctionParams,
        body: UpdateBody,
      },
    )
    .post("/api/functions/:name/rollback", ({ request, params, body }) => ({ function: functions.rollback(owner(request), params.name, body.deployment) }), {
      params: FunctionParams,
      body: RollbackBody,
    })
    .put("/api/functions/:name/secrets", ({ request, params, body }) => ({ function: functions.setSecrets(owner(request), params.name, body.secrets) }), {
      params: FunctionParams,
      body: SecretsBody,
    })
    .get("/api/functions/:name/logs", ({ request, params }) => ({ logs: functions.logsOf(owner(request), params.name) }), { params: FunctionParams })
    .delete(
      "/api/functions/:name",
      ({ request, params }) => {
        functions.remove(owner(request), params.name);
        return { ok: true };
      },
      { params: FunctionParams },
    );
  // The body is the function's, of any type, streamed to it unread.
  const hooks = { params: InvokeParams, detail: { requestBody: { required: false, content: { "*/*": { schema: { type: "string" as const, format: "binary" } } } } } };
  for (const method of FUNCTION_METHODS) {
    // The function's root is its folder: without the slash, relative links would miss it. (The
    // router also brings "/fn/<owner>/<name>/" here: that one is the function's.)
    app.route(
      method,
      "/fn/:owner/:name",
      ({ request, params }) => {
        const url = new URL(request.url);
        if (url.pathname.endsWith("/")) return serve(functions, request, params);
        return new Response(null, { status: 308, headers: { location: `${url.pathname}/${url.search}` } });
      },
      hooks,
    );
    app.route(method, "/fn/:owner/:name/*", ({ request, params }) => serve(functions, request, params), hooks);
  }
  return app;
}

/** One request to a function: the client's request with the header policy applied, and its answer. */
async function serve(functions: FunctionsService, request: Request, params: { owner: string; name: string }): Promise<Response> {
  const principal = optionalPrincipalOf(request);
  const path = `/fn/${params.owner}/${params.name}`;
  // At its own host name (function-subdomains.ts) a function has the whole path space: no prefix.
  const prefix = originalOf(request) ? "" : path;
  const url = new URL(request.url);
  const rest = url.pathname.slice(path.length) || "/";
  const headers = toFunctionHeaders(request, {
    // A PC2 credential in Authorization is the node's, not the function's: it never reaches it.
    stripAuthorization: principal !== null && credentialOf(request)?.via === "bearer",
    host: requestHost(request),
    proto: requestProtocol(request).slice(0, -1),
    prefix,
  });
  const target = { owner: params.owner.toLowerCase(), name: params.name, rest: rest + url.search };
  const caller = { signedIn: principal !== null, client: { ip: clientIp(request), port: 0 } };
  if (isWebSocketRequest(request)) {
    // Deno.upgradeWebSocket: the listener upgrades the client once the handler has; a handler that
    // answered otherwise has its answer sent, as for any request.
    const answer = await functions.connect(headers, target, caller);
    if ("refused" in answer) return fromFunction(answer.refused, `${prefix}/`);
    return upgradeTo(request, answer.relay, answer.protocol ? { "sec-websocket-protocol": answer.protocol } : undefined);
  }
  const forwarded = new Request(request.url, { method: request.method, headers, body: request.body, duplex: "half" } as RequestInit);
  return fromFunction(await functions.invoke(forwarded, target, caller), `${prefix}/`);
}
