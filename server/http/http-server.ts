// The listening socket: /ws goes to the hub, everything else to the Elysia app; each request logged.
import type { RelayedClients } from "./relayed-clients.ts";
import type { Server, ServerWebSocket, TLSOptions } from "bun";
import type { App } from "../app.ts";
import { errorResponse, fail, toAppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { type HostGuard, hostnameOf } from "./host-guard.ts";
import type { ProxyTrust } from "./proxy-trust.ts";
import { routeOf, setRequestMeta } from "./request-meta.ts";
import { SECURITY_HEADERS } from "./security-headers.ts";
import { type RoutedSocketData, takeUpgrade } from "./socket-upgrade.ts";
import type { WsConnectionData, WsHub, WsSocket } from "./ws-hub.ts";

/** A socket of the hub (/ws), or one a route accepted (socket-upgrade.ts). */
type SocketData = WsConnectionData | RoutedSocketData;
type AnySocket = ServerWebSocket<SocketData>;
/** The node's listening server (HTTP and both kinds of socket). */
export type NodeServer = Server<SocketData>;
const routed = (ws: AnySocket): ServerWebSocket<RoutedSocketData> | null => ("routed" in ws.data ? (ws as ServerWebSocket<RoutedSocketData>) : null);

export interface ListenOptions {
  host: string;
  port: number;
  /** The names the node answers to (the app checks them too; /ws does not pass through the app). */
  hosts: HostGuard;
  /** Which peers' X-Forwarded-* headers are believed. */
  proxies: ProxyTrust;
  /**
   * The listener for connections relayed by the Active Proxy (on loopback, host and port as given).
   * Their client is "relay:<address the super node gave>" (never loopback, whatever the socket
   * says) and no X-Forwarded-* header is believed: the relay is not a trusted proxy.
   */
  relayed?: RelayedClients;
  /** HTTPS: the key, certificate and oldest version; absent or null for plain HTTP. */
  tls?: TLSOptions | null;
  /** Send Strict-Transport-Security (only over TLS with a certificate browsers trust). */
  hsts?: boolean;
  /** Plain HTTP that should be HTTPS: the URL to send this request to (308), or null to serve it. */
  upgradeTo?: (request: Request, path: string) => string | null;
  /**
   * Host names of functions (function-subdomains.ts): a request for one is rewritten to the
   * function's path before anything else; "unknown" is a name under the domain no function holds.
   */
  functionHosts?: { route(request: Request): Request | "unknown" | null } | null;
  /** Told of every answered request (the node's metrics). */
  onResponse?: (o: { method: string; route: string; status: number; seconds: number }) => void;
}

/** One year: browsers remember to use HTTPS only; sent only with a trusted certificate. */
const HSTS = "max-age=31536000";

function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const end = url.indexOf("?", start);
  return url.slice(start, end === -1 ? undefined : end);
}

/** Bun.serve's one set of socket handlers: each socket to the hub, or to the route that accepted it. */
function socketHandlers(hub: WsHub) {
  const hubs = hub.handlers();
  return {
    ...hubs,
    open: (ws: AnySocket) => {
      const r = routed(ws);
      if (r) r.data.routed.open(r);
      else hubs.open(ws as WsSocket);
    },
    message: (ws: AnySocket, message: string | Buffer) => {
      const r = routed(ws);
      if (r) r.data.routed.message(r, message);
      else hubs.message(ws as WsSocket, message);
    },
    pong: (ws: AnySocket) => {
      const r = routed(ws);
      if (r) r.data.routed.pong?.(r);
      else hubs.pong(ws as WsSocket);
    },
    close: (ws: AnySocket, code: number, reason: string) => {
      const r = routed(ws);
      if (r) r.data.routed.close(r, code, reason);
      else hubs.close(ws as WsSocket, code, reason);
    },
  };
}

export function listen(app: App, hub: WsHub, log: Logger, { host, port, hosts, proxies, relayed, tls, hsts, upgradeTo, functionHosts, onResponse }: ListenOptions): NodeServer {
  const scheme = tls ? "https:" : "http:";
  return Bun.serve<SocketData>({
    hostname: host,
    port,
    ...(tls ? { tls } : {}),
    // Per-route limits apply (JSON bodies, uploads stream); this is only the transport's ceiling.
    maxRequestBodySize: 2 ** 40,
    // Never answer with Bun's HTML error page; fall back to our JSON error.
    development: false,
    async fetch(sent, server) {
      const started = performance.now();
      const peer = server.requestIP(sent);
      const client = relayed ? { ip: relayed.clientOf(peer?.port) } : proxies.resolve(peer?.address ?? "unknown", scheme, sent.headers);
      const ip = client.ip;
      // A function's own host name: from here on, the request is for the function's path.
      // (Never for a name the node has as its own: a function cannot take over the node's address.)
      const forFunction = functionHosts && !hosts.namesExactly(hostnameOf(sent.headers.get("host") ?? "") ?? "") ? functionHosts.route(sent) : null;
      const request = forFunction instanceof Request ? forFunction : sent;
      setRequestMeta(request, client);
      const path = pathOf(request.url);
      let response: Response | undefined;
      try {
        if (path === "/ws") hosts.check(request);
        const upgraded = upgradeTo?.(sent, pathOf(sent.url)) ?? null;
        if (forFunction === "unknown") {
          response = errorResponse(toAppError(fail("function_not_found", "No function answers at this host name")));
          for (const [k, v] of Object.entries(SECURITY_HEADERS)) response.headers.set(k, v);
        } else if (upgraded) {
          response = new Response(null, { status: 308, headers: { location: upgraded, "cache-control": "no-store" } });
          for (const [k, v] of Object.entries(SECURITY_HEADERS)) response.headers.set(k, v);
        } else if (path === "/ws") response = await hub.upgrade(request, server as Server<WsConnectionData>, ip);
        else {
          response = await app.handle(request);
          const routedSocket = takeUpgrade(request);
          if (routedSocket) {
            if (server.upgrade(sent, { data: { routed: routedSocket.socket }, headers: routedSocket.headers })) response = undefined;
            else {
              routedSocket.socket.abandon();
              response = errorResponse(toAppError(fail("websocket_upgrade_failed", "The WebSocket handshake failed")));
            }
          }
        }
      } catch (err) {
        response = errorResponse(toAppError(err));
        for (const [k, v] of Object.entries(SECURITY_HEADERS)) response.headers.set(k, v);
      }
      const ms = performance.now() - started;
      // How long the node took, for browsers' devtools and for benchmarks run on a busy machine.
      response?.headers.set("server-timing", `app;dur=${ms.toFixed(2)}`);
      if (hsts) response?.headers.set("strict-transport-security", HSTS);
      onResponse?.({ method: request.method, route: path === "/ws" ? "/ws" : (routeOf(request) ?? "unmatched"), status: response?.status ?? 101, seconds: ms / 1000 });
      // Only the path is logged: query strings may carry single-use link signatures.
      log.debug("http", { method: request.method, path, status: response?.status ?? 101, ms: Math.round(ms), ip });
      return response;
    },
    websocket: socketHandlers(hub),
    error(err) {
      log.error("unhandled server error", { err });
      return errorResponse(toAppError(err));
    },
  });
}

export interface RedirectOptions {
  host: string;
  port: number;
  /** Where HTTPS listens: the redirect keeps the name the client used and puts this port. */
  httpsPort: number;
  hosts: HostGuard;
  /** ACME HTTP-01: the answer for a challenge path (the CA checks on port 80, over plain HTTP), or null. */
  acmeAnswer?: (path: string) => string | null;
}

/**
 * Plain HTTP that sends every request to HTTPS (308 keeps the method and body). Only to a name the
 * node answers to: a forged Host gets 421, never a redirect to someone else's site. Open ACME
 * HTTP-01 challenges are answered here, as the CA asks for them on port 80.
 */
export function listenRedirect(log: Logger, { host, port, httpsPort, hosts, acmeAnswer }: RedirectOptions): Server<undefined> {
  return Bun.serve({
    hostname: host,
    port,
    development: false,
    maxRequestBodySize: 64 * 1024,
    fetch(request) {
      let response: Response;
      try {
        hosts.check(request);
        const url = new URL(request.url);
        const answer = request.method === "GET" ? (acmeAnswer?.(url.pathname) ?? null) : null;
        if (answer !== null) return new Response(answer, { headers: { "content-type": "application/octet-stream", "cache-control": "no-store" } });
        const name = hostnameOf(request.headers.get("host") ?? url.host)!;
        const authority = name.includes(":") ? `[${name}]` : name;
        const location = `https://${authority}${httpsPort === 443 ? "" : `:${httpsPort}`}${url.pathname}${url.search}`;
        response = new Response(null, { status: 308, headers: { location, "cache-control": "no-store" } });
      } catch (err) {
        response = errorResponse(toAppError(err));
      }
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) response.headers.set(k, v);
      log.debug("http redirect", { method: request.method, status: response.status });
      return response;
    },
    error(err) {
      log.error("unhandled server error", { err });
      return errorResponse(toAppError(err));
    },
  });
}
