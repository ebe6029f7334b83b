// A WebSocket conversation as data, to compare one server with another (PC2 and Deno): what the
// client sent, everything it received in order, and how the socket closed.
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
