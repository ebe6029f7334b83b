// The name gateway (super-node mode): a TCP port for `http://<name>.<domain>` and, optionally, one
// for `https://<name>.<domain>`. It reads the first request's head, and a Host under the domain
// goes to the node that owns the name, through that node's Active Proxy session (the bytes are
// relayed as they are, WebSocket upgrades too). A TLS connection is routed by the name in its
// ClientHello (SNI) and passed on still encrypted: the node holds the certificate and the key, so
// the super node never sees a request, a cookie or a file.
// Any other Host reaches the gateway's API, served on a loopback port of its own; the gateway
// remembers which API connection carries which client, so the API's budgets follow real clients.
import { connect, createServer, type Server, type Socket } from "node:net";
import { clientKey } from "../net/client-key.ts";
import { RateLimiter } from "../services/auth/rate-limiter.ts";
import type { GatewayApi } from "./gateway-api.ts";
import { parseHead } from "./http-head.ts";
import { looksLikeTls, readClientHello, UNRECOGNIZED_NAME_ALERT } from "./tls-client-hello.ts";
import type { NameRegistry } from "./name-registry.ts";
import { nameFromHost } from "./names.ts";

export interface GatewayRelay {
  /** Relay `socket` (whose first bytes, `head`, are already read) to the node; false when it has no session. */
  relayTo(nodeId: string, socket: Socket, head: Uint8Array): boolean;
}

export interface GatewayServerOptions {
  host: string;
  port: number;
  /** The port for TLS passed through to the nodes (443 when it faces browsers); null: none. */
  tlsPort?: number | null;
  domain: string;
  api: GatewayApi;
  registry: NameRegistry;
  relay: GatewayRelay;
  /** New connections one client address may open per minute (the deployed gateway: 500). */
  connectionsPerMinute?: number;
  headTimeoutMs?: number;
}

export interface GatewayMetrics {
  routed: number;
  /** TLS connections passed through to a node by their SNI. */
  routedTls: number;
  api: number;
  offline: number;
  refused: number;
}

export class GatewayServer {
  private front: Server | null = null;
  private apiServer: ReturnType<typeof Bun.serve> | null = null;
  /** The API connection's local port → the client it carries. */
  private readonly apiClients = new Map<number, string>();
  private readonly limiter: RateLimiter;
  private tlsFront: Server | null = null;
  readonly metrics: GatewayMetrics = { routed: 0, routedTls: 0, api: 0, offline: 0, refused: 0 };

  constructor(private readonly o: GatewayServerOptions) {
    this.limiter = new RateLimiter(o.connectionsPerMinute ?? 500, 60_000);
  }

  get port(): number {
    const a = this.front?.address();
    return a && typeof a === "object" ? a.port : this.o.port;
  }

  /** The TLS port (null: none). */
  get tlsPort(): number | null {
    if (this.o.tlsPort === null || this.o.tlsPort === undefined) return null;
    const a = this.tlsFront?.address();
    return a && typeof a === "object" ? a.port : this.o.tlsPort;
  }

  async start(): Promise<void> {
    const api = this.o.api;
    this.apiServer = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      maxRequestBodySize: 8192,
      fetch: async (req, server) => {
        const port = server.requestIP(req)?.port ?? -1;
        const res = await api.handle(req, this.apiClients.get(port) ?? "unknown");
        // One request per API connection: a client that pools connections by address (not by host)
        // must not send a later request for <name>.<domain> down a connection that ends here.
        res.headers.set("connection", "close");
        return res;
      },
    });
    const listen = (port: number) =>
      new Promise<Server>((resolve, reject) => {
        const server = createServer((socket) => this.accept(socket));
        server.once("error", reject);
        server.listen(port, this.o.host, () => resolve(server));
      });
    this.front = await listen(this.o.port);
    if (this.o.tlsPort !== null && this.o.tlsPort !== undefined) this.tlsFront = await listen(this.o.tlsPort);
  }

  stop(): void {
    this.front?.close();
    this.front = null;
    this.tlsFront?.close();
    this.tlsFront = null;
    this.apiServer?.stop(true);
    this.apiServer = null;
  }

  private accept(socket: Socket): void {
    socket.on("error", () => {});
    const client = clientKey(socket.remoteAddress ?? "");
    if (this.limiter.retryAfter(client) > 0) {
      this.metrics.refused++;
      return void socket.end(plain(429, "Too many connections; try again later\n"));
    }
    this.limiter.hit(client);
    let buffered: Uint8Array = new Uint8Array(0);
    const timer = setTimeout(() => socket.destroy(), this.o.headTimeoutMs ?? 10_000);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (looksLikeTls(buffered)) {
        const hello = readClientHello(buffered);
        if (hello.state === "partial") return;
        clearTimeout(timer);
        socket.off("data", onData);
        socket.pause();
        const name = hello.state === "ok" && hello.serverName ? nameFromHost(hello.serverName, this.o.domain) : null;
        return name ? this.toNode(name, socket, buffered, true) : this.refuseTls(socket);
      }
      const head = parseHead(buffered);
      if (!head) return;
      clearTimeout(timer);
      socket.off("data", onData);
      socket.pause();
      if (!head.ok) return void socket.end(plain(head.reason === "too_large" ? 431 : 400, "Bad request\n"));
      const name = head.host ? nameFromHost(head.host, this.o.domain) : null;
      if (name) this.toNode(name, socket, head.head);
      else this.toApi(socket, head.head);
    };
    socket.on("data", onData);
    socket.once("close", () => clearTimeout(timer));
  }

  /**
   * Relay a connection for <name>.<domain> to the node that owns the name, its first bytes as they
   * came: an HTTP head, or a TLS ClientHello passed on still encrypted (the node terminates it).
   * An unknown or offline name gets an HTTP error, or for TLS an unrecognized_name alert.
   */
  private toNode(name: string, socket: Socket, head: Uint8Array, tls = false): void {
    const entry = this.o.registry.byName(name);
    if (!entry) return tls ? this.refuseTls(socket) : void socket.end(plain(404, `No node has the name '${name}'.\n`));
    if (!this.o.relay.relayTo(entry.nodeId, socket, head)) {
      this.metrics.offline++;
      return tls ? this.refuseTls(socket) : void socket.end(plain(502, `The node named '${name}' is offline.\n`));
    }
    if (tls) this.metrics.routedTls++;
    else this.metrics.routed++;
  }

  /** No name, a name not under the domain, an unknown or offline node: a TLS alert, then close. */
  private refuseTls(socket: Socket): void {
    socket.end(UNRECOGNIZED_NAME_ALERT);
  }

  private toApi(socket: Socket, head: Uint8Array): void {
    this.metrics.api++;
    const upstream = connect(this.apiServer!.port!, "127.0.0.1");
    upstream.on("error", () => socket.destroy());
    upstream.once("connect", () => {
      const port = upstream.localPort!;
      this.apiClients.set(port, socket.remoteAddress ?? "unknown");
      upstream.once("close", () => this.apiClients.delete(port));
      upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
      socket.resume();
    });
    socket.once("close", () => upstream.destroy());
  }
}

function plain(status: number, text: string): string {
  const reason: Record<number, string> = { 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests", 431: "Request Header Fields Too Large", 502: "Bad Gateway" };
  return `HTTP/1.1 ${status} ${reason[status]}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`;
}
