// A relayed connection's local end that picks where to connect from the client's first bytes: the
// node's TLS listener for a TLS ClientHello (passed through the relay still encrypted), its plain
// HTTP listener otherwise. Until those bytes arrive there is no connection; after, it is a pipe.
import { connect, type Socket } from "node:net";
import { Duplex } from "node:stream";

export type UpstreamTarget = { host: string; port: number };

export class LazyUpstream extends Duplex {
  private socket: Socket | null = null;

  constructor(
    private readonly choose: (first: Uint8Array) => UpstreamTarget,
    /** Called once connected (with the socket, e.g. to map its local port to the relayed client). */
    private readonly onConnect: (socket: Socket) => void,
  ) {
    super({ allowHalfOpen: false });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.socket) {
      if (this.socket.write(chunk)) done();
      else this.socket.once("drain", () => done());
      return;
    }
    const to = this.choose(chunk);
    const socket = connect(to.port, to.host);
    this.socket = socket;
    socket.on("data", (d: Buffer) => {
      if (!this.push(d)) socket.pause();
    });
    let ended = false;
    socket.once("end", () => {
      ended = true;
      this.push(null);
    });
    socket.once("error", (err) => this.destroy(err));
    // After a clean end, what is still buffered here must reach the reader first: the stream ends
    // (and closes) once it has been read. Only a close without an end is cut short.
    socket.once("close", () => {
      if (!ended) this.destroy();
    });
    socket.once("connect", () => {
      this.onConnect(socket);
      if (socket.write(chunk)) done();
      else socket.once("drain", () => done());
    });
  }

  override _read(): void {
    this.socket?.resume();
  }

  override _final(done: (err?: Error | null) => void): void {
    this.socket?.end();
    done();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.socket?.destroy();
    done(err);
  }
}
