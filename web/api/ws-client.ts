// Typed JSON-RPC 2.0 client for /ws, used by the desktop and by the tests (browser or Bun WebSocket).
import type { JsonRpcErrorObject, JsonRpcId, JsonRpcResponse } from "../../server/http/ws-protocol.ts";

export class RpcError extends Error {
  readonly code: number;
  readonly data: JsonRpcErrorObject["data"];
  constructor(err: JsonRpcErrorObject) {
    super(err.message);
    this.name = "RpcError";
    this.code = err.code;
    this.data = err.data;
  }
  /** The PC2 error code (snake_case), e.g. "unknown_topic". */
  get appCode(): string | undefined {
    return this.data?.code;
  }
}

export class ConnectionClosedError extends Error {
  constructor(
    readonly closeCode: number,
    readonly reason: string,
  ) {
    super(`WebSocket closed (${closeCode}${reason ? `: ${reason}` : ""})`);
    this.name = "ConnectionClosedError";
  }
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; onNotification?: (method: string, params: unknown) => void };
type Listener = (params: unknown) => void;

export interface CallOptions {
  signal?: AbortSignal;
  /** Notifications this call sends while it runs (they carry its id as callId), e.g. streamed output. */
  onNotification?: (method: string, params: unknown) => void;
}

export class Pc2WsClient {
  private nextId = 1;
  private readonly pending = new Map<JsonRpcId, Pending>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly closeListeners = new Set<(code: number, reason: string) => void>();
  closed: { code: number; reason: string } | null = null;

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener("message", (ev) => this.onMessage(String(ev.data)));
    socket.addEventListener("close", (ev) => this.handleClose(ev.code, ev.reason));
  }

  /**
   * Open a connection; `url` is the ws:// or wss:// address of /ws. Browsers authenticate with the
   * session cookie; other clients (Bun) may pass `headers`, e.g. an Authorization: Bearer token.
   */
  static connect(url: string, options: { headers?: Record<string, string> } = {}): Promise<Pc2WsClient> {
    return new Promise((resolve, reject) => {
      // Bun's WebSocket takes { headers }; a browser's takes no such argument, so pass it only when set.
      const socket = options.headers ? new WebSocket(url, { headers: options.headers } as unknown as string[]) : new WebSocket(url);
      const fail = (ev: Event | CloseEvent) => reject(new ConnectionClosedError("code" in ev ? ev.code : 1006, "reason" in ev ? ev.reason : "connection failed"));
      socket.addEventListener("error", fail, { once: true });
      socket.addEventListener("close", fail, { once: true });
      socket.addEventListener(
        "open",
        () => {
          socket.removeEventListener("error", fail);
          socket.removeEventListener("close", fail);
          resolve(new Pc2WsClient(socket));
        },
        { once: true },
      );
    });
  }

  /** The ws(s):// URL of /ws for a page served from `origin` (http(s)://host:port). */
  static urlFor(origin: string): string {
    return origin.replace(/^http/, "ws").replace(/\/$/, "") + "/ws";
  }

  call<T = unknown>(method: string, params?: object, options: CallOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new ConnectionClosedError(this.closed.code, this.closed.reason));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onNotification: options.onNotification });
      options.signal?.addEventListener("abort", () => void this.notify("rpc.cancel", { id }), { once: true });
      this.socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, ...(params ? { params } : {}) }));
    });
  }

  /** Fire-and-forget (a JSON-RPC notification: no response). */
  notify(method: string, params?: object): void {
    if (!this.closed) this.socket.send(JSON.stringify({ jsonrpc: "2.0", method, ...(params ? { params } : {}) }));
  }

  subscribe(topics: string[]): Promise<{ subscribed: string[] }> {
    return this.call("rpc.subscribe", { topics });
  }

  unsubscribe(topics: string[]): Promise<{ subscribed: string[] }> {
    return this.call("rpc.unsubscribe", { topics });
  }

  /** Listen for server notifications named `method`; returns the function that stops listening. */
  on(method: string, listener: Listener): () => void {
    let set = this.listeners.get(method);
    if (!set) this.listeners.set(method, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  onClose(listener: (code: number, reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** The next notification named `method` (rejects if the connection closes first). */
  next(method: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const off = this.on(method, (p) => (off(), offClose(), resolve(p)));
      const offClose = this.onClose((code, reason) => (off(), reject(new ConnectionClosedError(code, reason))));
    });
  }

  close(code = 1000, reason = ""): void {
    this.socket.close(code, reason);
  }

  private onMessage(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    for (const m of Array.isArray(msg) ? msg : [msg]) {
      if (m && typeof m === "object" && "id" in m && ("result" in m || "error" in m)) {
        const res = m as JsonRpcResponse;
        const waiter = this.pending.get(res.id);
        if (!waiter) continue;
        this.pending.delete(res.id);
        if ("error" in res) waiter.reject(new RpcError(res.error));
        else waiter.resolve(res.result);
      } else if (m && typeof m === "object" && typeof (m as { method?: unknown }).method === "string") {
        const { method, params } = m as { method: string; params: unknown };
        const callId = params && typeof params === "object" ? (params as { callId?: JsonRpcId }).callId : undefined;
        if (callId !== undefined) this.pending.get(callId)?.onNotification?.(method, params);
        for (const l of this.listeners.get(method) ?? []) l(params);
      }
    }
  }

  private handleClose(code: number, reason: string): void {
    this.closed = { code, reason };
    for (const p of this.pending.values()) p.reject(new ConnectionClosedError(code, reason));
    this.pending.clear();
    for (const l of this.closeListeners) l(code, reason);
  }
}
