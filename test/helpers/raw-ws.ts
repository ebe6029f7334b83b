// A bare RFC 6455 client over TCP, for what a polite client never does: ignore pings, stop reading.
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

export interface Frame {
  opcode: number;
  payload: Buffer;
}

export interface RawWs {
  socket: Socket;
  /** HTTP status of the handshake response (101 when upgraded). */
  status: number;
  head: string;
  frames: Frame[];
  ended: Promise<void>;
  sendText(text: string): void;
  sendBinary(bytes: Uint8Array): void;
  /** Parsed JSON of every text frame received so far (pings and other control frames left out). */
  texts(): any[];
  /** The close frame's code and reason, once the server sent one. */
  closeFrame(): { code: number; reason: string } | null;
}

function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const header = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (len >= 126 && len < 65536) {
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(len, 2);
  } else if (len >= 65536) {
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([header, mask, body]);
}

export function rawWs(port: number, headers: Record<string, string> = {}): Promise<RawWs> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const frames: Frame[] = [];
    let endResolve!: () => void;
    const ended = new Promise<void>((r) => (endResolve = r));
    socket.on("close", () => endResolve());
    socket.on("error", () => endResolve());
    const result: Partial<RawWs> = { socket, frames, ended };
    socket.on("connect", () => {
      const lines = [
        "GET /ws HTTP/1.1",
        `Host: 127.0.0.1:${port}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
        "Sec-WebSocket-Version: 13",
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.write(lines.join("\r\n") + "\r\n\r\n");
    });
    socket.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buf.subarray(0, end).toString();
        buf = buf.subarray(end + 4);
        upgraded = true;
        result.head = head;
        result.status = Number(head.split(" ")[1]);
        result.sendText = (text) => socket.write(encodeFrame(0x1, Buffer.from(text)));
        result.sendBinary = (bytes) => socket.write(encodeFrame(0x2, Buffer.from(bytes)));
        result.texts = () => frames.filter((f) => f.opcode === 0x1).map((f) => JSON.parse(f.payload.toString()));
        result.closeFrame = () => {
          const f = frames.find((x) => x.opcode === 0x8);
          return f ? { code: f.payload.readUInt16BE(0), reason: f.payload.subarray(2).toString() } : null;
        };
        resolve(result as RawWs);
      }
      for (;;) {
        if (buf.length < 2) return;
        let len = buf[1]! & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        if (buf.length < off + len) return;
        frames.push({ opcode: buf[0]! & 0x0f, payload: Buffer.from(buf.subarray(off, off + len)) });
        buf = buf.subarray(off + len);
      }
    });
    socket.on("error", reject);
  });
}
