// The /ws hub: JSON-RPC 2.0 dispatch, per-connection subscriptions, heartbeats, size and backpressure limits.
import { Subscribers } from "./ws-subscribers.ts";
import type { Server, ServerWebSocket } from "bun";
import { AppError, fail, ForbiddenError } from "../errors.ts";
import type { Principal } from "../principal.ts";
import type { WsConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import { answersFailure, BINARY_REFUSED, duplicateId, idOf, methodNotFound, notificationText, readMessage, readRequest, toRpcError, tooManyInFlight, type RpcRequest } from "./json-rpc.ts";
import { isSameOrigin } from "./request-meta.ts";
import { checkInput, NoParams, type Static, type TSchema } from "./schema.ts";
import { t } from "elysia";
import { WS_CLOSE, type JsonRpcId, type JsonRpcResponse } from "./ws-protocol.ts";

export interface WsConnectionData {
  id: number;
  principal: Principal;
  ip: string;
  subscriptions: Set<string>;
  inFlight: Map<JsonRpcId, AbortController>;
  alive: boolean;
  closed: boolean;
  /** The listener the connection came through (a wallet's events are published natively on it). */
  server: { publish(topic: string, data: string): number };
}

export type WsSocket = ServerWebSocket<WsConnectionData>;

export interface RpcContext {
  connection: Readonly<Pick<WsConnectionData, "id" | "principal" | "ip">>;
  /** Aborted when the client cancels the call (rpc.cancel) or disconnects. */
  signal: AbortSignal;
  /** Push a notification to the calling connection (e.g. streamed output). */
  notify(method: string, params: unknown): void;
}

export type RpcHandler<P = unknown> = (params: P, ctx: RpcContext) => unknown | Promise<unknown>;

export interface MethodOptions<S extends TSchema | undefined = undefined> {
  /** The method's input schema; the handler gets the checked, typed params (a 400 otherwise). */
  params?: S;
  /** A larger message limit for this method than the connection's (e.g. a base64 WASM module), the same as its HTTP route's. */
  maxMessageBytes?: number;
}

/** The hub's security policy, supplied by the auth layer. */
export interface WsPolicy {
  /** Who is connecting; throw an AppError (401/403) to refuse the upgrade. */
  authenticate(request: Request): Principal;
  /** Throw an AppError if the principal may not call `method`. */
  authorizeMethod(method: string, principal: Principal): void;
  /** Throw an AppError if the principal may not subscribe to `topic`. */
  authorizeTopic(topic: string, principal: Principal): void;
  /** Still signed in? Asked at every heartbeat, so expiry and out-of-process revocation close the socket. */
  stillLive(principal: Principal): boolean;
}

/** The native (uWebSockets) topic of one wallet's subscribers of `topic`. */
const walletTopic = (topic: string, address: string) => `${topic}\u0000${address}`;

export class WsHub {
  private readonly methods = new Map<string, RpcHandler>();
  private readonly schemas = new Map<string, TSchema>();
  /** Methods that accept messages over the connection's limit, with their own limit. */
  private readonly largeMessages = new Map<string, number>();
  private readonly topics = new Set<string>();
  /** Open sockets by connection id (sendTo and the rpc.* methods look them up on every call). */
  private readonly sockets = new Map<number, WsSocket>();
  /** Subscriptions by topic and wallet, so a publish reaches only its audience. */
  private readonly subscribers = new Subscribers<WsSocket>();
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private readonly disconnectListeners: ((connId: number) => void)[] = [];
  private nextId = 1;

  constructor(
    private readonly config: WsConfig,
    private readonly policy: WsPolicy,
    private readonly log: Logger,
  ) {
    this.register("rpc.subscribe", (p, ctx) => this.subscribe(ctx.connection.id, p.topics), { params: Topics });
    this.register("rpc.unsubscribe", (p, ctx) => this.unsubscribe(ctx.connection.id, p.topics), { params: Topics });
    this.register("rpc.cancel", (p, ctx) => this.cancel(ctx.connection.id, p.id), { params: CancelParams });
    this.register("rpc.methods", () => ({ methods: this.methodNames(), topics: this.topicNames() }), { params: NoParams });
  }

  register<S extends TSchema | undefined = undefined>(method: string, handler: RpcHandler<S extends TSchema ? Static<S> : unknown>, options: MethodOptions<S> = {}): void {
    if (this.methods.has(method)) throw new Error(`ws method ${method} registered twice`);
    this.methods.set(method, handler as RpcHandler);
    if (options.params) this.schemas.set(method, options.params);
    if (options.maxMessageBytes && options.maxMessageBytes > this.config.maxMessageBytes) this.largeMessages.set(method, options.maxMessageBytes);
  }

  /** The transport's frame ceiling: the largest message any method accepts. */
  private transportLimit(): number {
    return Math.max(this.config.maxMessageBytes, ...this.largeMessages.values());
  }

  /**
   * A message over the connection's limit is read only if its sender may call a method that takes
   * one that large; otherwise it is closed with 1009 unparsed. After parsing, every request in it
   * must be to such a method.
   */
  private oversizeAllowed(ws: WsSocket, bytes: number, parsed?: unknown): boolean {
    const fits = (method: string) => (this.largeMessages.get(method) ?? 0) >= bytes;
    if (parsed === undefined) {
      for (const method of this.largeMessages.keys()) {
        if (!fits(method)) continue;
        try {
          this.policy.authorizeMethod(method, ws.data.principal);
          return true;
        } catch {
          // not this one
        }
      }
      return false;
    }
    const requests = Array.isArray(parsed) ? parsed : [parsed];
    return requests.every((r) => r !== null && typeof r === "object" && typeof (r as { method?: unknown }).method === "string" && fits((r as { method: string }).method));
  }

  registerTopic(name: string): void {
    if (this.topics.has(name)) throw new Error(`ws topic ${name} registered twice`);
    this.topics.add(name);
  }

  /** Methods registered without an input schema (a test keeps this list empty). */
  methodsWithoutSchema(): string[] {
    return [...this.methods.keys()].filter((m) => !this.schemas.has(m)).sort();
  }

  methodNames(): string[] {
    return [...this.methods.keys()].sort();
  }

  topicNames(): string[] {
    return [...this.topics].sort();
  }

  connectionCount(): number {
    return this.sockets.size;
  }

  /** Push `method(params)` to every connection subscribed to `topic` (and passing `filter`). */
  publish(topic: string, method: string, params: unknown, filter?: (principal: Principal) => boolean): number {
    return this.sendAll(this.subscribers.of(topic), method, params, filter);
  }

  /**
   * Publish to one wallet's subscribers of `topic` only (its files, its functions' logs). Sent by
   * Bun's native pub/sub (uWebSockets' topics: one C++ loop per listener), since a wallet may hold
   * thousands of sockets; a socket that stops reading is closed at Bun's backpressure limit.
   */
  publishTo(topic: string, address: string, method: string, params: unknown): number {
    const servers = new Set<WsConnectionData["server"]>();
    let audience = 0;
    for (const ws of this.subscribers.of(topic, address)) {
      servers.add(ws.data.server);
      audience++;
    }
    if (audience === 0) return 0;
    const text = notificationText(method, params);
    for (const server of servers) server.publish(walletTopic(topic, address), text);
    return audience;
  }

  private sendAll(sockets: Iterable<WsSocket>, method: string, params: unknown, filter?: (principal: Principal) => boolean): number {
    // Serialised once, and only when someone is there to read it.
    let text: string | null = null;
    let sent = 0;
    for (const ws of sockets) {
      if (filter && !filter(ws.data.principal)) continue;
      text ??= notificationText(method, params);
      if (this.sendText(ws, text)) sent++;
    }
    return sent;
  }

  /** Push a notification to one connection (e.g. a terminal's output to the socket attached to it). */
  sendTo(connId: number, method: string, params: unknown): boolean {
    const ws = this.sockets.get(connId);
    return ws ? this.sendText(ws, notificationText(method, params)) : false;
  }

  /** Be told when a connection goes away. */
  onDisconnect(listener: (connId: number) => void): void {
    this.disconnectListeners.push(listener);
  }

  /** Close every connection whose principal matches (e.g. a revoked session). */
  closeWhere(match: (principal: Principal) => boolean, code: number, reason: string): number {
    let n = 0;
    for (const ws of this.sockets.values()) if (match(ws.data.principal)) this.closeSocket(ws, code, reason), n++;
    return n;
  }

  start(): void {
    this.heartbeat = setInterval(() => this.beat(), this.config.heartbeatIntervalMs);
  }

  /** Say goodbye to every client (1001) and stop the heartbeat. */
  stop(reason = "server shutting down"): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const ws of this.sockets.values()) this.closeSocket(ws, WS_CLOSE.shuttingDown, reason);
  }

  /** Called from the HTTP server for requests to /ws. Returns a Response when not upgraded. */
  async upgrade(request: Request, server: Server<WsConnectionData>, ip: string): Promise<Response | undefined> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      throw new AppError(426, "upgrade_required", "This endpoint speaks WebSocket only", {}, { Upgrade: "websocket" });
    }
    checkSameOrigin(request);
    const principal = this.policy.authenticate(request);
    let open = 0;
    for (const ws of this.sockets.values()) if (ws.data.principal.address === principal.address && !ws.data.closed) open++;
    if (open >= this.config.maxConnectionsPerUser) {
      throw fail("too_many_connections", `At most ${this.config.maxConnectionsPerUser} open connections per wallet; close another tab or script`, {
        limit: this.config.maxConnectionsPerUser,
      });
    }
    const data: WsConnectionData = {
      id: this.nextId++,
      principal,
      ip,
      subscriptions: new Set(),
      inFlight: new Map(),
      alive: true,
      closed: false,
      server,
    };
    if (server.upgrade(request, { data })) return undefined;
    throw fail("websocket_upgrade_failed", "The WebSocket handshake failed");
  }

  /** The handler object for Bun.serve({ websocket }). */
  handlers() {
    return {
      maxPayloadLength: this.transportLimit(),
      // Our own limit (sendText) closes slow consumers with a reason; Bun's is a backstop at twice that.
      backpressureLimit: this.config.sendBufferLimitBytes * 2,
      closeOnBackpressureLimit: true,
      idleTimeout: 0,
      sendPings: false,
      open: (ws: WsSocket) => {
        this.sockets.set(ws.data.id, ws);
        this.log.debug("ws open", { conn: ws.data.id, ip: ws.data.ip });
      },
      message: (ws: WsSocket, message: string | Buffer) => {
        ws.data.alive = true;
        void this.onMessage(ws, message);
      },
      pong: (ws: WsSocket) => {
        ws.data.alive = true;
      },
      close: (ws: WsSocket, code: number, reason: string) => {
        ws.data.closed = true;
        this.sockets.delete(ws.data.id);
        for (const t of ws.data.subscriptions) this.subscribers.remove(t, ws.data.principal.address, ws);
        for (const ctrl of ws.data.inFlight.values()) ctrl.abort(new Error("connection closed"));
        ws.data.inFlight.clear();
        for (const listener of this.disconnectListeners) listener(ws.data.id);
        this.log.debug("ws close", { conn: ws.data.id, code, reason });
      },
    };
  }

  private beat(): void {
    for (const ws of this.sockets.values()) {
      if (!ws.data.alive) {
        this.closeSocket(ws, WS_CLOSE.heartbeatTimeout, "heartbeat timeout: no pong received");
        continue;
      }
      if (!this.policy.stillLive(ws.data.principal)) {
        this.closeSocket(ws, WS_CLOSE.sessionEnded, "session ended");
        continue;
      }
      ws.data.alive = false;
      ws.ping();
    }
  }

  private closeSocket(ws: WsSocket, code: number, reason: string): void {
    if (ws.data.closed) return;
    ws.data.closed = true;
    this.log.info("ws closed by server", { conn: ws.data.id, code, reason });
    ws.close(code, reason);
  }

  /** Send, unless the client stopped reading: then close it rather than buffer without bound. */
  private sendText(ws: WsSocket, text: string): boolean {
    if (ws.data.closed) return false;
    if (ws.getBufferedAmount() + text.length > this.config.sendBufferLimitBytes) {
      this.closeSocket(ws, WS_CLOSE.slowConsumer, `slow consumer: more than ${this.config.sendBufferLimitBytes} bytes waiting to be read`);
      return false;
    }
    // -1: queued behind earlier data (still delivered), 0: dropped by Bun's backstop limit.
    return ws.send(text) !== 0;
  }

  private async onMessage(ws: WsSocket, message: string | Buffer): Promise<void> {
    if (typeof message !== "string") return this.reply(ws, BINARY_REFUSED);
    const bytes = message.length > this.config.maxMessageBytes / 3 ? Buffer.byteLength(message) : message.length;
    const oversize = bytes > this.config.maxMessageBytes;
    if (oversize && !this.oversizeAllowed(ws, bytes)) return this.closeSocket(ws, WS_CLOSE.messageTooBig, `message larger than ${this.config.maxMessageBytes} bytes`);
    const read = readMessage(message);
    if ("error" in read) return this.reply(ws, read.error);
    if (oversize && !this.oversizeAllowed(ws, bytes, read.batch ? read.requests : read.requests[0]))
      return this.closeSocket(ws, WS_CLOSE.messageTooBig, `message larger than ${this.config.maxMessageBytes} bytes`);
    const responses = (await Promise.all(read.requests.map((req) => this.handleOne(ws, req)))).filter((r): r is JsonRpcResponse => r !== null);
    if (responses.length) this.reply(ws, read.batch ? responses : responses[0]!);
  }

  /** Handle one request object; null when no response is due (a notification). */
  private async handleOne(ws: WsSocket, req: unknown): Promise<JsonRpcResponse | null> {
    let request: RpcRequest | null = null;
    let ctrl: AbortController | null = null;
    try {
      request = readRequest(req);
      const { id, method } = request;
      const handler = this.methods.get(method);
      if (!handler) throw methodNotFound(method);
      this.policy.authorizeMethod(method, ws.data.principal);
      if (!request.notification && ws.data.inFlight.has(id)) throw duplicateId(id);
      if (ws.data.inFlight.size >= this.config.maxInFlight) throw tooManyInFlight(this.config.maxInFlight);
      ctrl = new AbortController();
      if (!request.notification) ws.data.inFlight.set(id, ctrl);
      const schema = this.schemas.get(method);
      const params = schema ? checkInput(schema, request.params) : request.params;
      // A call's notifications name the call (callId), so one connection can carry several at once.
      const tag = (p: unknown) => (request!.notification || p === null || typeof p !== "object" || Array.isArray(p) ? p : { ...p, callId: id });
      const result = await handler(params, { connection: ws.data, signal: ctrl.signal, notify: (m, p) => void this.sendText(ws, notificationText(m, tag(p))) });
      return request.notification ? null : { jsonrpc: "2.0", id, result: result ?? null };
    } catch (err) {
      return answersFailure(request, err) ? { jsonrpc: "2.0", id: request?.id ?? idOf(req), error: toRpcError(err, this.log, request?.method ?? "") } : null;
    } finally {
      const id = request?.id ?? null;
      if (ctrl && ws.data.inFlight.get(id) === ctrl) ws.data.inFlight.delete(id);
    }
  }

  private reply(ws: WsSocket, body: JsonRpcResponse | JsonRpcResponse[]): void {
    this.sendText(ws, JSON.stringify(body));
  }

  private connection(id: number): WsConnectionData {
    const ws = this.sockets.get(id);
    if (!ws) throw fail("connection_closed", "The connection is closed");
    return ws.data;
  }

  private subscribe(connId: number, topics: string[]): { subscribed: string[] } {
    const conn = this.connection(connId);
    for (const t of topics) {
      if (!this.topics.has(t)) throw fail("unknown_topic", `Unknown topic: ${t}`, { topic: t });
      this.policy.authorizeTopic(t, conn.principal);
    }
    const next = new Set([...conn.subscriptions, ...topics]);
    if (next.size > this.config.maxSubscriptions) {
      throw fail("too_many_subscriptions", `A connection may hold at most ${this.config.maxSubscriptions} subscriptions`);
    }
    const ws = this.sockets.get(connId)!;
    for (const t of next)
      if (!conn.subscriptions.has(t)) {
        this.subscribers.add(t, conn.principal.address, ws);
        ws.subscribe(walletTopic(t, conn.principal.address));
      }
    conn.subscriptions = next;
    return { subscribed: [...next].sort() };
  }

  private unsubscribe(connId: number, topics: string[]): { subscribed: string[] } {
    const conn = this.connection(connId);
    const ws = this.sockets.get(connId)!;
    for (const t of topics)
      if (conn.subscriptions.delete(t)) {
        this.subscribers.remove(t, conn.principal.address, ws);
        ws.unsubscribe(walletTopic(t, conn.principal.address));
      }
    return { subscribed: [...conn.subscriptions].sort() };
  }

  private cancel(connId: number, target: string | number): { cancelled: boolean } {
    const conn = this.connection(connId);
    const ctrl = conn.inFlight.get(target);
    ctrl?.abort(new Error("cancelled by client"));
    return { cancelled: Boolean(ctrl) };
  }
}

const Topics = t.Object({ topics: t.Array(t.String({ pattern: "^[a-z][a-z0-9._-]{0,63}$" }), { minItems: 1, maxItems: 100 }) });
const CancelParams = t.Object({ id: t.Union([t.String({ maxLength: 200 }), t.Number()]) });

/**
 * Browsers always send Origin on WebSocket handshakes; a page from another site must not ride the
 * user's cookie into /ws (cross-site WebSocket hijacking). Non-browser clients send no Origin.
 */
function checkSameOrigin(request: Request): void {
  const origin = request.headers.get("origin");
  if (!origin) return;
  // Scheme, host and port: a page served over plain HTTP must not drive an HTTPS node's socket.
  const same = isSameOrigin(request, origin);
  if (same === null) throw new ForbiddenError("The Origin header is malformed", "origin_mismatch");
  if (!same) throw new ForbiddenError("Cross-origin WebSocket connections are refused", "origin_mismatch");
}
