// One HTTP/1.1 request written by hand, with its request-target exactly as given (fetch would
// normalise "%2e%2e" and friends away before the server saw them).
import { connect } from "node:net";

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function rawRequest(base: string, method: string, target: string, headers: Record<string, string> = {}, body = ""): Promise<RawAnswer> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`no answer to ${method} ${target}`))), 10_000);
    socket.on("connect", () => {
      const all = { host: u.host, connection: "close", "content-length": String(Buffer.byteLength(body)), ...headers };
      socket.write(
        `${method} ${target} HTTP/1.1\r\n${Object.entries(all)
          .map(([k, v]) => `${k}: ${v}`)
          .join("\r\n")}\r\n\r\n${body}`,
      );
    });
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", (err) => (clearTimeout(timer), reject(err)));
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("utf8");
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const [statusLine = "", ...lines] = head.split("\r\n");
      const parsed: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(":");
        if (i > 0) parsed[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers: parsed, body: rest.join("\r\n\r\n") });
    });
  });
}
