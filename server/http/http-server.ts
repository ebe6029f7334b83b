// The listening socket: /ws goes to the hub, everything else to the Elysia app; each request logged.
import type { RelayedClients } from "./relayed-clients.ts";
import type { Server } from "bun";
import type { App } from "../app.ts";
import { errorResponse, toAppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { HostGuard } from "./host-guard.ts";
import type { ProxyTrust } from "./proxy-trust.ts";
import { setRequestMeta } from "./request-meta.ts";
import { SECURITY_HEADERS } from "./security-headers.ts";
import type { WsConnectionData, WsHub } from "./ws-hub.ts";

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
}

function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const end = url.indexOf("?", start);
  return url.slice(start, end === -1 ? undefined : end);
}

export function listen(app: App, hub: WsHub, log: Logger, { host, port, hosts, proxies, relayed }: ListenOptions): Server<WsConnectionData> {
  return Bun.serve<WsConnectionData>({
    hostname: host,
    port,
    // Per-route limits apply (JSON bodies, uploads stream); this is only the transport's ceiling.
    maxRequestBodySize: 2 ** 40,
    // Never answer with Bun's HTML error page; fall back to our JSON error.
    development: false,
    async fetch(request, server) {
      const started = performance.now();
      const peer = server.requestIP(request);
      const client = relayed ? { ip: relayed.clientOf(peer?.port) } : proxies.resolve(peer?.address ?? "unknown", "http:", request.headers);
      const ip = client.ip;
      setRequestMeta(request, client);
      const path = pathOf(request.url);
      let response: Response | undefined;
      try {
        if (path === "/ws") hosts.check(request);
        response = path === "/ws" ? await hub.upgrade(request, server, ip) : await app.handle(request);
      } catch (err) {
        response = errorResponse(toAppError(err));
        for (const [k, v] of Object.entries(SECURITY_HEADERS)) response.headers.set(k, v);
      }
      const ms = performance.now() - started;
      // How long the node took, for browsers' devtools and for benchmarks run on a busy machine.
      response?.headers.set("server-timing", `app;dur=${ms.toFixed(2)}`);
      // Only the path is logged: query strings may carry single-use link signatures.
      log.debug("http", { method: request.method, path, status: response?.status ?? 101, ms: Math.round(ms), ip });
      return response;
    },
    websocket: hub.handlers(),
    error(err) {
      log.error("unhandled server error", { err });
      return errorResponse(toAppError(err));
    },
  });
}
