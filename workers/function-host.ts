// A function's process, inside its sandbox (server/services/functions/sandbox-command.ts): loads the
// deployed bundle, finds its handler (`export default { fetch }` or `Deno.serve(handler)`), and
// serves it over the Unix socket the node proxies to. Outbound fetch() goes through the node's
// egress socket (the only way out: the sandbox has no network), console output goes to the node as
// logs, and pings are answered while the event loop is free — a function stuck in a loop is killed
// by the node. The sandbox is the boundary; the Bun APIs replaced below by ones that throw only make
// misuse fail early and clearly.
import { installDenoCompat } from "./deno-compat.ts";
import { createDeno, type Handler, type ServeInfo } from "./deno-shim.ts";
import { type FunctionWebSocket, refusal, type SocketControl, upgradeOf, upgradeWebSocket } from "./deno-websocket.ts";
import { CLIENT_HEADER, type FromFunction, type FunctionStart, KV_PATH, type LogLevel, TARGET_HEADER, type ToFunction } from "./function-protocol.ts";
import { lines } from "./json-lines.ts";

const MAX_LOG_CHARS = 8 * 1024;

export async function runFunctionHost(): Promise<void> {
  const out = Bun.stdout.writer();
  const send = (message: FromFunction) => {
    out.write(JSON.stringify(message) + "\n");
    void out.flush();
  };
  const input = lines(Bun.stdin.stream())[Symbol.asyncIterator]();
  const first = await input.next();
  if (first.done) return;
  const start = JSON.parse(first.value) as FunctionStart;
  const serve = Bun.serve;
  const inspect = Bun.inspect;
  const platformFetch = globalThis.fetch;
  const PlatformResponse = installDenoCompat();

  const log = (level: LogLevel, args: unknown[]) => {
    const text = args.map((a) => (typeof a === "string" ? a : inspect(a))).join(" ");
    send({ t: "log", level, message: text.length > MAX_LOG_CHARS ? `${text.slice(0, MAX_LOG_CHARS)}… (${text.length} characters)` : text });
  };
  const logError = (what: string, err: unknown) => log("error", [`${what}: ${err instanceof Error ? (err.stack ?? err.message) : inspect(err)}`]);
  console.log = (...args: unknown[]) => log("info", args);
  console.info = (...args: unknown[]) => log("info", args);
  console.debug = (...args: unknown[]) => log("debug", args);
  console.warn = (...args: unknown[]) => log("warn", args);
  console.error = (...args: unknown[]) => log("error", args);
  process.on("uncaughtException", (err) => logError("Uncaught error", err));
  process.on("unhandledRejection", (err) => logError("Unhandled promise rejection", err));

  // Out through the node, which applies the function's allowed hosts and refuses private addresses.
  globalThis.fetch = Object.assign(
    async (resource: string | URL | Request, init?: RequestInit) => {
      const request = new Request(resource, init);
      const headers = new Headers(request.headers);
      headers.set(TARGET_HEADER, request.url);
      const response = await platformFetch("http://egress/", {
        unix: start.egress,
        method: request.method,
        headers,
        body: request.body,
        redirect: "manual",
        signal: request.signal,
        duplex: "half",
      } as RequestInit);
      return response;
    },
    { preconnect: () => undefined },
  ) as typeof fetch;

  for (const api of ["spawn", "spawnSync", "file", "write", "connect", "listen", "serve", "$", "udpSocket", "openInEditor", "mmap"] as const) {
    try {
      (Bun as unknown as Record<string, unknown>)[api] = () => {
        throw new Error(`Bun.${api} is not available to a PC2 function`);
      };
    } catch {
      // Read-only in this Bun: the sandbox still holds.
    }
  }
  const kvCall = async (op: Record<string, unknown>) => {
    const res = await platformFetch(KV_PATH, { unix: start.egress, method: "POST", body: JSON.stringify(op), headers: { "content-type": "application/json" } } as RequestInit);
    const body = (await res.json()) as { message?: string };
    if (!res.ok) throw new Error(body.message ?? `The key-value store answered ${res.status}`);
    return body;
  };
  const shim = createDeno(start.env, kvCall, upgradeWebSocket);
  Object.defineProperty(globalThis, "Deno", { value: shim.deno, writable: false, configurable: false, enumerable: false });

  let handler: Handler;
  let onError: ((error: unknown) => Response | Promise<Response>) | undefined;
  try {
    const mod = (await import(start.bundle)) as { default?: { fetch?: Handler } };
    const served = shim.handler();
    if (typeof mod.default?.fetch === "function") {
      const target = mod.default;
      handler = (request, info) => target.fetch!(request, info);
    } else if (served) {
      handler = served.handler;
      onError = served.onError;
    } else throw new Error("the module serves nothing: export default { fetch(request) { … } } or call Deno.serve(handler)");
  } catch (err) {
    send({ t: "failed", message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }

  /** The handler's answer; when it throws, onError's (Deno.serve's option), or Deno's own 500. */
  const answer = async (request: Request, info: ServeInfo): Promise<Response> => {
    try {
      const response = await handler(request, info);
      if (!(response instanceof PlatformResponse)) throw new TypeError("the handler must return a Response");
      return response;
    } catch (err) {
      logError("The handler threw", err);
      if (onError) return onError(err);
      // As Deno answers, without a Content-Type (Bun's server labels it application/octet-stream).
      return new PlatformResponse(new Blob(["Internal Server Error"]).stream(), { status: 500 });
    }
  };
  /** A connection the node opened for a client's WebSocket: the handler's socket, or its refusal. */
  type Link = { socket: FunctionWebSocket | null; control: SocketControl };
  const guarded = (what: string, run: () => void) => {
    try {
      run();
    } catch (err) {
      logError(what, err);
    }
  };
  serve<Link, never>({
    unix: start.socket,
    maxRequestBodySize: 2 ** 40,
    development: false,
    // The node relays each client's socket here, and applies its limits and liveness checks.
    websocket: {
      maxPayloadLength: 2 ** 30,
      idleTimeout: 0,
      sendPings: false,
      open(ws) {
        ws.sendText(JSON.stringify(ws.data.control));
        if (ws.data.socket) guarded("The socket's open handler threw", () => ws.data.socket!.opened(ws));
        else ws.close(1000, "");
      },
      message(ws, message) {
        guarded("The socket's message handler threw", () => ws.data.socket?.received(message));
      },
      close(ws, code, reason) {
        guarded("The socket's close handler threw", () => ws.data.socket?.closed(code, reason));
      },
    },
    async fetch(request, server) {
      const wantsSocket = request.headers.get("upgrade")?.toLowerCase() === "websocket";
      const client = JSON.parse(request.headers.get(CLIENT_HEADER) ?? "{}") as { ip?: string; port?: number };
      request.headers.delete(CLIENT_HEADER);
      let markDone: () => void = () => undefined;
      const info: ServeInfo = {
        remoteAddr: { transport: "tcp", hostname: client.ip ?? "0.0.0.0", port: client.port ?? 0 },
        completed: new Promise((resolve) => (markDone = resolve)),
      };
      let response: Response;
      try {
        response = await answer(request, info);
      } finally {
        queueMicrotask(markDone);
      }
      if (!wantsSocket) return response;
      // An upgrade request: the node hears what the handler did in the socket's first frame.
      const upgrade = upgradeOf(response);
      const link: Link = upgrade ? { socket: upgrade.socket, control: { t: "accepted" } } : { socket: null, control: await refusal(response) };
      if (server.upgrade(request, { data: link, headers: upgrade?.protocol ? { "sec-websocket-protocol": upgrade.protocol } : undefined })) return undefined;
      return new PlatformResponse("The WebSocket handshake failed", { status: 400 });
    },
  });
  send({ t: "ready" });

  for (;;) {
    const next = await input.next();
    if (next.done) {
      // The node is stopping this process: what was logged goes out first.
      await out.flush();
      await out.end();
      process.exit(0);
    }
    const message = JSON.parse(next.value) as ToFunction;
    if (message.t === "ping") send({ t: "pong", id: message.id });
  }
}

if (import.meta.main) await runFunctionHost();
