// One HTTP/1.1 request written by hand, with its request-target exactly as given (fetch would
// normalise "%2e%2e" and friends away before the server saw them), and a WebSocket handshake the same way.
import { connect } from "node:net";

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Parse what arrived so far; `complete` once the head is in and either it is a 101 or Content-Length bytes of body arrived. */
function parse(data: Buffer): { answer: RawAnswer; complete: boolean } | undefined {
  const end = data.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [statusLine = "", ...lines] = data.subarray(0, end).toString("utf8").split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const status = Number(statusLine.split(" ")[1]);
  const body = data.subarray(end + 4);
  const length = headers["content-length"];
  const complete = status === 101 || (length !== undefined && body.length >= Number(length));
  return { answer: { status, headers, body: body.toString("utf8") }, complete };
}

/**
 * Send `method target` with `headers` (lower-case names override the defaults: host, connection: close
 * and content-length) and resolve with the answer as soon as it is complete, or when the server closes.
 */
export function rawRequest(base: string, method: string, target: string, headers: Record<string, string> = {}, body = ""): Promise<RawAnswer> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`no answer to ${method} ${target}`))), 10_000);
    const settle = (final: boolean) => {
      const parsed = parse(Buffer.concat(chunks));
      if (!parsed || (!parsed.complete && !final)) {
        if (final) clearTimeout(timer), reject(new Error(`incomplete answer to ${method} ${target}`));
        return;
      }
      clearTimeout(timer);
      socket.destroy();
      resolve(parsed.answer);
    };
    socket.on("connect", () => {
      const all = { host: u.host, connection: "close", "content-length": String(Buffer.byteLength(body)), ...headers };
      socket.write(
        `${method} ${target} HTTP/1.1\r\n${Object.entries(all)
          .map(([k, v]) => `${k}: ${v}`)
          .join("\r\n")}\r\n\r\n${body}`,
      );
    });
    socket.on("data", (c: Buffer) => (chunks.push(c), settle(false)));
    socket.on("error", (err) => (clearTimeout(timer), reject(err)));
    socket.on("close", () => settle(true));
  });
}

/** A WebSocket handshake by hand at `url`: the server's status, headers and body when it does not upgrade. */
export function rawHandshake(url: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const u = new URL(url);
  const base = `http://${u.host}`;
  return rawRequest(base, "GET", `${u.pathname}${u.search}`, {
    connection: "Upgrade",
    upgrade: "websocket",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    "sec-websocket-version": "13",
    ...headers,
  });
}
