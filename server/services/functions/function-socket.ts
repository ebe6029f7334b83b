// A client's WebSocket to a function (Deno.upgradeWebSocket): the node opens a socket to the
// function's process over its Unix socket, reads the control frame that says whether the handler
// upgraded (workers/deno-websocket.ts), and then relays frames both ways with limits — message size,
// bytes waiting on either side, and a ping to the client every 30 s (no pong by the next: closed).
import type { ServerWebSocket } from "bun";
import type { SocketControl } from "../../../workers/deno-websocket.ts";
import { fail } from "../../errors.ts";
import type { RoutedSocket, RoutedSocketData } from "../../http/socket-upgrade.ts";

export interface SocketLimits {
  /** One message, either way, in bytes (over it: closed with 1009). */
  messageBytes: number;
  /** Bytes waiting to be read by either side (over it: closed with 1008, a slow reader). */
  bufferBytes: number;
  /** How long the handler may take to upgrade or answer. */
  handshakeMs: number;
}

export const PING_INTERVAL_MS = 30_000;

type ClientSocket = ServerWebSocket<RoutedSocketData>;
type Frame = string | ArrayBuffer;

/** A close code that may be sent on (1005, 1006 and 1015 are only ever reported, never sent). */
function sendable(code: number, fallback: number): number {
  return code === 1005 || code === 1006 || code === 1015 || code < 1000 || code > 4999 ? fallback : code;
}

/** A close reason within the protocol's 123 bytes. */
export function closeReason(text: string): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength <= 123) return text;
  return `${new TextDecoder().decode(bytes.subarray(0, 119)).replace(/\uFFFD$/, "")}…`;
}

const size = (frame: string | ArrayBuffer | Buffer) => (typeof frame === "string" ? Buffer.byteLength(frame) : frame.byteLength);

export class FunctionSocketRelay implements RoutedSocket {
  private client: ClientSocket | null = null;
  /** The function's frames that came before the client's side was open. */
  private readonly early: Frame[] = [];
  private earlyBytes = 0;
  /** The function closed before the client's side was open: passed on when it opens. */
  private endedEarly: { code: number; reason: string } | null = null;
  private done = false;
  private alive = true;
  private pinger: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly upstream: WebSocket,
    private readonly limits: SocketLimits,
    private readonly onEnd: (relay: FunctionSocketRelay) => void,
  ) {}

  /** The function sent a frame. */
  fromFunction(frame: Frame): void {
    if (this.done) return;
    if (!this.client) {
      this.early.push(frame);
      this.earlyBytes += size(frame);
      if (this.earlyBytes > this.limits.bufferBytes) this.shut(1008, "the function sent more than the node holds before the client's side opened");
      return;
    }
    this.forward(this.client, frame);
  }

  private forward(client: ClientSocket, frame: Frame): void {
    if (typeof frame === "string") client.sendText(frame);
    else client.sendBinary(new Uint8Array(frame));
    if (client.getBufferedAmount() > this.limits.bufferBytes) this.shut(1008, `the client is not reading: over ${this.limits.bufferBytes} bytes wait for it`);
  }

  /** The function's side closed (its close, or its process ending: 1006). */
  functionClosed(code: number, reason: string): void {
    if (this.done) return;
    if (!this.client) {
      this.endedEarly = { code, reason };
      return;
    }
    this.finish();
    this.client.close(sendable(code, 1011), code === 1006 ? "the function's end of the socket went away" : closeReason(reason));
  }

  open(ws: ClientSocket): void {
    this.client = ws;
    for (const frame of this.early.splice(0)) this.forward(ws, frame);
    this.earlyBytes = 0;
    const ended = this.endedEarly;
    if (ended && this.done) return ws.close(sendable(ended.code, 1011), closeReason(ended.reason));
    if (ended) return this.functionClosed(ended.code, ended.reason);
    this.pinger = setInterval(() => {
      if (!this.alive) return this.shut(1001, "no answer to the node's ping");
      this.alive = false;
      ws.ping();
    }, PING_INTERVAL_MS);
  }

  message(_ws: ClientSocket, message: string | Buffer): void {
    if (this.done) return;
    if (size(message) > this.limits.messageBytes) return this.shut(1009, `a message may have ${this.limits.messageBytes} bytes at most`);
    this.upstream.send(message);
    if (this.upstream.bufferedAmount > this.limits.bufferBytes) this.shut(1008, `the function is not reading: over ${this.limits.bufferBytes} bytes wait for it`);
  }

  pong(): void {
    this.alive = true;
  }

  /** The client closed. */
  close(_ws: ClientSocket, code: number, reason: string): void {
    if (this.done) return;
    this.finish();
    this.closeUpstream(code, reason);
  }

  /** The node closes both sides (a limit, the function's process stopping, the node stopping). */
  shut(code: number, reason: string): void {
    if (this.done) return;
    this.finish();
    this.closeUpstream(code, reason);
    if (this.client) this.client.close(code, closeReason(reason));
    else this.endedEarly = { code, reason };
  }

  private closeUpstream(code: number, reason: string): void {
    try {
      this.upstream.close(sendable(code, 1000), closeReason(reason));
    } catch {
      this.upstream.close();
    }
  }

  abandon(): void {
    this.shut(1001, "the client went away before the upgrade");
  }

  private finish(): void {
    this.done = true;
    if (this.pinger) clearInterval(this.pinger);
    this.onEnd(this);
  }
}

export type SocketAnswer = { relay: FunctionSocketRelay; protocol: string } | { refused: Response };

/**
 * Open a socket to the function's process for a client's upgrade request, and wait for the
 * handler's decision: a relay (the client is then upgraded), or the answer it gave instead.
 */
export function connectFunctionSocket(socketPath: string, pathAndQuery: string, headers: Headers, limits: SocketLimits, onEnd: (relay: FunctionSocketRelay) => void): Promise<SocketAnswer> {
  const protocols = (headers.get("sec-websocket-protocol") ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const forwarded = new Headers(headers);
  for (const h of ["connection", "upgrade", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol", "content-length"]) forwarded.delete(h);
  const upstream = new WebSocket(`ws+unix://${socketPath}:${pathAndQuery}`, { headers: forwarded.toJSON(), protocols } as unknown as string[]);
  upstream.binaryType = "arraybuffer";
  return new Promise<SocketAnswer>((resolve, reject) => {
    let relay: FunctionSocketRelay | null = null;
    const timer = setTimeout(() => {
      upstream.close();
      reject(fail("function_timeout", `The function did not answer the WebSocket request within ${limits.handshakeMs} ms`));
    }, limits.handshakeMs);
    upstream.onmessage = (event: MessageEvent) => {
      if (relay) return relay.fromFunction(event.data as Frame);
      clearTimeout(timer);
      const control = JSON.parse(String(event.data)) as SocketControl;
      if (control.t === "refused") {
        upstream.close();
        return resolve({ refused: new Response(Buffer.from(control.body, "base64"), { status: control.status, headers: control.headers }) });
      }
      relay = new FunctionSocketRelay(upstream, limits, onEnd);
      resolve({ relay, protocol: upstream.protocol });
    };
    upstream.onclose = (event: CloseEvent) => {
      if (relay) return relay.functionClosed(event.code, event.reason);
      clearTimeout(timer);
      reject(fail("function_crashed", "The function's process did not answer the WebSocket request"));
    };
  });
}
