// A WebSocket conversation as data, to compare one server with another (PC2 and Deno): what the
// client sent, everything it received in order, and how the socket closed.
import { connect } from "node:net";

export type Outgoing = string | { binary: number[] };
export type Incoming = string | { binary: number[] };

export interface Transcript {
  protocol: string;
  received: Incoming[];
  close: { code: number; reason: string };
}

/** Open `url`, send `messages` once open, and collect until the server closes (or `ms` pass). */
export function converse(url: string, messages: Outgoing[], opts: { protocols?: string[]; headers?: Record<string, string>; ms?: number } = {}): Promise<Transcript> {
  const ws = new WebSocket(url, { protocols: opts.protocols ?? [], headers: opts.headers ?? {} } as unknown as string[]);
  ws.binaryType = "arraybuffer";
  const received: Incoming[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`no close within ${opts.ms ?? 5000} ms; received ${JSON.stringify(received)}`));
    }, opts.ms ?? 5000);
    ws.onopen = () => {
      for (const m of messages) ws.send(typeof m === "string" ? m : new Uint8Array(m.binary));
    };
    ws.onmessage = (e) => received.push(typeof e.data === "string" ? e.data : { binary: [...new Uint8Array(e.data as ArrayBuffer)] });
    ws.onclose = (e) => {
      clearTimeout(timer);
      resolve({ protocol: ws.protocol, received, close: { code: e.code, reason: e.reason } });
    };
  });
}

/** A WebSocket handshake by hand: the server's status, headers and body when it does not upgrade. */
export function rawHandshake(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    let data = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => {
      const lines = [
        `GET ${u.pathname}${u.search} HTTP/1.1`,
        `Host: ${u.host}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.write(`${lines.join("\r\n")}\r\n\r\n`);
    });
    const finish = () => {
      const [head = "", ...rest] = data.split("\r\n\r\n");
      const [statusLine = "", ...headerLines] = head.split("\r\n");
      const parsed: Record<string, string> = {};
      for (const line of headerLines) {
        const i = line.indexOf(":");
        parsed[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers: parsed, body: rest.join("\r\n\r\n") });
      socket.destroy();
    };
    socket.on("data", (chunk) => {
      data += chunk;
      const end = data.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = /content-length:\s*(\d+)/i.exec(data.slice(0, end));
      if (data.startsWith("HTTP/1.1 101") || (length && data.length >= end + 4 + Number(length[1]))) finish();
    });
    socket.on("end", finish);
    socket.on("error", reject);
    setTimeout(() => reject(new Error("no answer to the handshake")), 5000).unref();
  });
}
