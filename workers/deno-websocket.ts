// Deno.upgradeWebSocket inside a function's process: the WebSocket a handler gets, and how the host
// (function-host.ts) hands the connection to it. The node relays the client's socket to the
// function over its Unix socket; the first frame the function's end sends is a control message
// (SocketControl) saying whether the handler upgraded, or what it answered instead, so that the
// node can give the client the function's own answer. Behaviour follows Deno's server sockets:
// binaryType "arraybuffer", send() before open throws InvalidStateError, protocol and url empty.
import type { ServerWebSocket } from "bun";

/** The first frame on every function socket: the handler upgraded, or answered this instead. */
export type SocketControl = { t: "accepted" } | { t: "refused"; status: number; headers: [string, string][]; body: string };

/** How much of a refusal's body reaches the client (base64 in the control frame). */
export const MAX_REFUSAL_BODY = 64 * 1024;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

type Sendable = string | ArrayBufferLike | ArrayBufferView | Blob;

/** The socket half a handler holds: the standard WebSocket interface over the host's connection. */
export class FunctionWebSocket extends EventTarget {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  readonly CONNECTING = CONNECTING;
  readonly OPEN = OPEN;
  readonly CLOSING = CLOSING;
  readonly CLOSED = CLOSED;
  readonly url = "";
  readonly protocol = "";
  readonly extensions = "";
  binaryType: BinaryType = "arraybuffer";
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  private state = CONNECTING;
  private connection: ServerWebSocket<unknown> | null = null;
  /** Sends wait behind a Blob being read, so that frames keep their order. */
  private ordered: Promise<void> = Promise.resolve();
  private reading = 0;

  get readyState(): number {
    return this.state;
  }

  get bufferedAmount(): number {
    return this.connection?.getBufferedAmount() ?? 0;
  }

  send(data: Sendable): void {
    if (this.state !== OPEN) throw new DOMException("'readyState' not OPEN", "InvalidStateError");
    const connection = this.connection!;
    if (data instanceof Blob || this.reading > 0) {
      this.reading++;
      const bytes = data instanceof Blob ? data.arrayBuffer() : Promise.resolve(data);
      this.ordered = this.ordered.then(async () => {
        const value = await bytes;
        this.reading--;
        if (this.state === OPEN) sendNow(connection, value);
      });
      return;
    }
    sendNow(connection, data);
  }

  close(code?: number, reason?: string): void {
    if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999))
      throw new DOMException(`The close code must be either 1000 or in the range of 3000 to 4999, received ${code}`, "InvalidAccessError");
    if (reason !== undefined && new TextEncoder().encode(reason).byteLength > 123) throw new DOMException("The close reason may not be longer than 123 bytes", "SyntaxError");
    // As Deno does: a close before the connection is open is not acted on.
    if (this.state !== OPEN) return;
    this.state = CLOSING;
    this.connection!.close(code ?? 1000, reason ?? "");
  }

  /** The host: the connection is open (the control frame has gone first). */
  opened(connection: ServerWebSocket<unknown>): void {
    this.connection = connection;
    this.state = OPEN;
    this.fire("open", new Event("open"));
  }

  received(message: string | Buffer): void {
    const data = typeof message === "string" ? message : this.binaryType === "blob" ? new Blob([toArrayBuffer(message)]) : toArrayBuffer(message);
    this.fire("message", new MessageEvent("message", { data }));
  }

  closed(code: number, reason: string): void {
    if (this.state === CLOSED) return;
    this.state = CLOSED;
    const clean = code !== 1006;
    if (!clean) this.fire("error", new Event("error"));
    this.fire("close", new CloseEvent("close", { code, reason, wasClean: clean }));
  }

  private fire(type: "open" | "message" | "close" | "error", event: Event): void {
    const handler = this[`on${type}`] as ((e: Event) => void) | null;
    try {
      handler?.call(this, event);
    } finally {
      this.dispatchEvent(event);
    }
  }
}

function sendNow(connection: ServerWebSocket<unknown>, data: string | ArrayBufferLike | ArrayBufferView): void {
  if (typeof data === "string") connection.sendText(data);
  else if (ArrayBuffer.isView(data)) connection.sendBinary(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  else connection.sendBinary(new Uint8Array(data));
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export interface Upgrade {
  socket: FunctionWebSocket;
  /** The subprotocol the handler chose (options.protocol), answered in Sec-WebSocket-Protocol. */
  protocol: string | null;
}

/** Responses from Deno.upgradeWebSocket, and the socket each one stands for. */
const upgrades = new WeakMap<Response, Upgrade>();

/** Deno.upgradeWebSocket(request, options): a socket for the handler and the response it returns. */
export function upgradeWebSocket(request: Request, options?: { protocol?: string; idleTimeout?: number }): { socket: FunctionWebSocket; response: Response } {
  const upgrade = request.headers.get("upgrade") ?? "";
  if (!upgrade.split(",").some((v) => v.trim().toLowerCase() === "websocket")) throw new TypeError("Invalid Header: 'upgrade' header must contain 'websocket'");
  const socket = new FunctionWebSocket();
  const response = new Response(null, { status: 200 });
  // As Deno's: 101 Switching Protocols (the platform's Response refuses to be made with it).
  Object.defineProperty(response, "status", { value: 101 });
  upgrades.set(response, { socket, protocol: options?.protocol ?? null });
  return { socket, response };
}

/** The upgrade a handler's response stands for, or null when it answered otherwise. */
export function upgradeOf(response: Response): Upgrade | null {
  return upgrades.get(response) ?? null;
}

/** What the node tells the client when the handler answered an upgrade request without upgrading. */
export async function refusal(response: Response): Promise<SocketControl> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    const reader = response.body.getReader();
    while (size < MAX_REFUSAL_BODY) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
    void reader.cancel().catch(() => undefined);
  }
  const body = Buffer.concat(chunks).subarray(0, MAX_REFUSAL_BODY);
  return { t: "refused", status: response.status, headers: [...response.headers], body: body.toString("base64") };
}
