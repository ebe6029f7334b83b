// WebSockets that a route of the app accepts (a function's, at /fn/…), beside the hub's at /ws: the
// route decides and says how to handle the socket; the listener (http-server.ts) upgrades the
// connection once the app has answered, since only it holds the server. The route's answer is then
// not sent.
import type { ServerWebSocket } from "bun";

/** One routed socket's handlers; `ws.data.routed` is this object. */
export interface RoutedSocket {
  open(ws: ServerWebSocket<RoutedSocketData>): void;
  message(ws: ServerWebSocket<RoutedSocketData>, message: string | Buffer): void;
  close(ws: ServerWebSocket<RoutedSocketData>, code: number, reason: string): void;
  pong?(ws: ServerWebSocket<RoutedSocketData>): void;
  /** The upgrade did not happen (the client went away first): let go of what was opened for it. */
  abandon(): void;
}

export interface RoutedSocketData {
  routed: RoutedSocket;
}

interface Intent {
  socket: RoutedSocket;
  /** Extra headers of the 101 answer (Sec-WebSocket-Protocol). */
  headers?: Record<string, string>;
}

const intents = new WeakMap<Request, Intent>();

/** Ask the listener to upgrade `request` to `socket`; returns the placeholder answer for the app. */
export function upgradeTo(request: Request, socket: RoutedSocket, headers?: Record<string, string>): Response {
  intents.set(request, { socket, headers });
  return new Response(null, { status: 204 });
}

/** The upgrade a route asked for on this request, once (the listener). */
export function takeUpgrade(request: Request): Intent | null {
  const intent = intents.get(request) ?? null;
  intents.delete(request);
  return intent;
}

export function isWebSocketRequest(request: Request): boolean {
  return request.method === "GET" && (request.headers.get("upgrade") ?? "").toLowerCase() === "websocket";
}
