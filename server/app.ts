// createApp: the HTTP application (Elysia). Never listens; main/node.ts serves it and tests call app.handle.
import { davRoutes } from "./services/dav/dav.routes.ts";
import { metricsRoutes } from "./services/metrics/metrics.routes.ts";
import { openapiRoutes } from "./http/openapi.routes.ts";
import { VERSION } from "./services/system/system.service.ts";
import { FUNCTION_BODY_LIMITS, functionsRoutes } from "./services/functions/functions.routes.ts";
import { type AnyElysia, Elysia } from "elysia";
import type { Config } from "./config.ts";
import type { Services } from "./context.ts";
import { AppError, InvalidJsonError, NotFoundError, errorBody, toAppError } from "./errors.ts";
import { schemaError } from "./http/schema.ts";
import { isJsonContentType, parseJsonBody, UNREAD_BODY } from "./http/json-body.ts";
import { BodyLimitTable, MAX_JSON_DEPTH, PRE_AUTH_JSON_BYTES } from "./http/body-limits.ts";
import { SECURITY_HEADERS } from "./http/security-headers.ts";
import { setRouteOf } from "./http/request-meta.ts";
import type { AuthGuard } from "./http/auth-guard.ts";
import type { HostGuard } from "./http/host-guard.ts";
import type { AssetStore } from "./http/static-assets.ts";
import { staticRoutes } from "./http/static.routes.ts";
import type { Logger } from "./log.ts";
import { auditRoutes } from "./services/audit/audit.routes.ts";
import { AUTH_BODY_LIMITS, authRoutes } from "./services/auth/auth.routes.ts";
import { tokensRoutes } from "./services/auth/tokens.routes.ts";
import { usersRoutes } from "./services/auth/users.routes.ts";
import { filesRoutes } from "./services/files/files.routes.ts";
import { puterFsRoutes } from "./services/files/puter-fs.routes.ts";
import { identityRoutes } from "./services/identity/identity.routes.ts";
import { systemRoutes } from "./services/system/system.routes.ts";
import { terminalRoutes } from "./services/terminal/terminal.routes.ts";
import { networkRoutes } from "./services/network/network.routes.ts";
import { tlsRoutes } from "./services/tls/tls.routes.ts";
import { backupRoutes } from "./services/backup/backup.routes.ts";
import { peerBackupRoutes } from "./services/backup/peer-backup.routes.ts";
import { updateRoutes } from "./services/update/update.routes.ts";
import { aiRoutes } from "./services/ai/ai.routes.ts";
import { driversRoutes } from "./services/ai/drivers.routes.ts";
import { ollamaApiRoutes } from "./services/ai/ollama-api.routes.ts";
import { wasmBodyLimits, wasmRoutes } from "./services/wasm/wasm.routes.ts";
import { WASM_LIMITS } from "./services/wasm/wasm.service.ts";

export interface AppDeps {
  config: Config;
  log: Logger;
  services: Services;
  guard: AuthGuard;
  hosts: HostGuard;
  assets: AssetStore;
}

/** Elysia's own failures (unknown route, schema validation, its parser) mapped into our error family. */
function fromElysia(code: string | number, error: unknown, method: string, path: string): AppError {
  if (error instanceof AppError) return error;
  switch (code) {
    case "NOT_FOUND":
      return new NotFoundError(`No route for ${method} ${path}`);
    case "PARSE": {
      // Elysia wraps whatever our parse hook threw (413, invalid_json) as the cause.
      const cause = (error as { cause?: unknown }).cause;
      return cause instanceof AppError ? cause : new InvalidJsonError();
    }
    case "VALIDATION": {
      const detail = (error as { all?: { path?: string; message?: string }[] }).all?.[0];
      return schemaError(detail?.path, detail?.message);
    }
    default:
      return toAppError(error);
  }
}

/** Per-route JSON body limits, gathered from the features that need their own. */
export function bodyLimits(config: Config): BodyLimitTable {
  return new BodyLimitTable({ ...AUTH_BODY_LIMITS, ...wasmBodyLimits(WASM_LIMITS.maxModuleBytes), ...FUNCTION_BODY_LIMITS }, config.maxJsonBodyBytes);
}

export function createApp({ config, log, services, guard, hosts, assets }: AppDeps) {
  const limits = bodyLimits(config);
  // The app describes itself (/api/openapi.json): its routes are read when first asked for.
  let self: AnyElysia | null = null;
  const app = new Elysia()
    .onRequest(({ request, set }) => {
      Object.assign(set.headers, SECURITY_HEADERS);
      // Before anything else: only the node's own names (a DNS-rebinding guard).
      hosts.check(request);
    })
    // Nothing is read before the caller's header credential is checked: a route that needs a
    // sign-in refuses a missing or bad one here (401), and a caller still unknown (Puter's body
    // token) gets only a small budget. JSON is then parsed with the route's byte limit and a nesting
    // limit. Every other body is left unread for its route to stream (uploads): returning a value
    // stops Elysia from buffering it. Elysia also strips parameters from its contentType argument,
    // and Puter's JSON type lives in one.
    .onParse(async ({ request, route }) => {
      const caller = guard.beforeBody(request, route);
      // A function's request body is the function's: streamed to it unread, whatever its type.
      if (route.startsWith("/fn/")) return UNREAD_BODY;
      // So is a WebDAV request's: the service reads XML within its own limit and streams a PUT.
      if (route === "/dav" || route.startsWith("/dav/")) return UNREAD_BODY;
      if (!isJsonContentType(request.headers.get("content-type") ?? "")) return UNREAD_BODY;
      const limit = limits.for(`${request.method} ${route}`);
      const bytes = caller === "body-token" ? Math.min(limit.bytes, PRE_AUTH_JSON_BYTES) : limit.bytes;
      return (await parseJsonBody(request, bytes, MAX_JSON_DEPTH, limit.tooLarge)) ?? {};
    })
    .onError(({ code, error, request, set }) => {
      const url = new URL(request.url);
      const err = fromElysia(code, error, request.method, url.pathname);
      if (err.status >= 500) log.error("request failed", { method: request.method, path: url.pathname, err: error });
      set.status = err.status;
      Object.assign(set.headers, SECURITY_HEADERS, err.headers, { "content-type": "application/json; charset=utf-8" });
      return errorBody(err);
    })
    // Every matched route passes the guard (who is calling, and does roles.ts allow it?) before its
    // input schema is checked: a caller who may not use a route learns nothing about its input.
    .onTransform(({ request, route, body }) => {
      setRouteOf(request, route);
      guard.check(request, route, body);
    })
    .use(systemRoutes(services.system))
    .use(authRoutes(services.signIn, services.sessions, services.setup, services.usersRepo, (address) => services.files.homeFolders(address)))
    .use(usersRoutes(services.users, services.files))
    .use(tokensRoutes(services.tokens))
    .use(auditRoutes(services.audit))
    .use(identityRoutes(services.identity, services.audit))
    .use(puterFsRoutes(services.files, services.writer, services.trash))
    .use(
      filesRoutes(services.files, services.trash, services.uploads, {
        listenHost: config.host,
        publicBases: () => {
          const n = services.network.status();
          return [n.publicName.httpsUrl, n.publicName.url, n.publicEndpoint].filter((u): u is string => Boolean(u));
        },
      }),
    )
    .use(terminalRoutes(services.terminals))
    .use(wasmRoutes(services.wasm, WASM_LIMITS.maxModuleBytes))
    .use(functionsRoutes(services.functions))
    .use(davRoutes(services.dav))
    .use(metricsRoutes(services.metrics))
    // The API's own description: of this very app, built on first ask.
    .use(openapiRoutes(() => self!, VERSION))
    .use(aiRoutes(services.ai))
    .use(networkRoutes(services.network, services.audit))
    .use(tlsRoutes(services.tls, services.audit))
    .use(backupRoutes(services.backup, services.backupBrowser, services.audit))
    .use(peerBackupRoutes(services.backupHosting, services.audit))
    .use(updateRoutes(services.updates))
    .use(ollamaApiRoutes(services.ai))
    .use(driversRoutes(services.ai))
    .use(staticRoutes(assets));
  self = app;
  return app;
}

export type App = ReturnType<typeof createApp>;
