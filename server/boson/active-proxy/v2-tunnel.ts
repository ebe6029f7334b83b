// One Active Proxy v2 tunnel connection's relay states, shared by both ends: while Relaying, DATA
// carries the stream in chunks of at most 65516 bytes; either side's end of the stream starts the
// DISCONNECT handshake, and the tunnel is Idle again once it has both the peer's DISCONNECT and the
// ACK of its own.
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { ByteBudget } from "./byte-budget.ts";
import { type BoxContext, frame, MAX_DATA_PLAINTEXT, openWith, randomPadding, sealWith, typeByte } from "./v2-frames.ts";

export type RelayState = "idle" | "connecting" | "relaying" | "disconnecting";

export interface RelayCounters {
  bytesIn: number;
  bytesOut: number;
}

export class Relay {
  state: RelayState = "idle";
  private stream: Duplex | null = null;
  private sentDisconnect = false;
  private gotDisconnect = false;
  private gotAck = false;
  /** Reading stays paused until then (performance.now()), when over the node's bandwidth. */
  private holdUntil = 0;

  constructor(
    private readonly tunnel: Socket,
    private readonly session: BoxContext,
    private readonly counters: RelayCounters,
    private readonly onIdle: () => void,
    /** The node's bandwidth, shared by its tunnels and both directions (server side); none: unlimited. */
    private readonly budget?: ByteBudget,
  ) {
    tunnel.on("drain", () => this.mayRead() && this.stream?.resume());
  }

  /**
   * Start relaying between the tunnel and `stream` (the external client, or the local upstream);
   * `head` holds bytes already read from the stream, sent first.
   */
  begin(stream: Duplex, head?: Uint8Array): void {
    this.stream = stream;
    this.state = "relaying";
    this.sentDisconnect = this.gotDisconnect = this.gotAck = false;
    const send = (chunk: Uint8Array) => {
      for (let at = 0; at < chunk.length; at += MAX_DATA_PLAINTEXT) {
        const piece = chunk.subarray(at, at + MAX_DATA_PLAINTEXT);
        this.counters.bytesOut += piece.length;
        if (!this.tunnel.write(frame(typeByte("data", false), sealWith(this.session, piece)))) stream.pause();
      }
      this.throttle(chunk.length, stream);
    };
    if (head) send(head);
    stream.on("data", send);
    stream.on("drain", () => this.mayRead() && this.tunnel.resume());
    const ended = () => this.localEnded();
    stream.once("end", ended);
    stream.once("close", ended);
    stream.once("error", ended);
    stream.resume();
  }

  /** Bytes from the peer for the stream. */
  data(body: Uint8Array): void {
    if (this.state !== "relaying" || !this.stream) return; // late DATA while disconnecting is dropped
    const plain = openWith(this.session, body);
    this.counters.bytesIn += plain.length;
    if (!this.stream.write(plain)) this.tunnel.pause();
    this.throttle(plain.length, this.tunnel);
  }

  private mayRead(): boolean {
    return performance.now() >= this.holdUntil;
  }

  /** Over the node's bandwidth: stop reading from `source` until the budget allows more. */
  private throttle(bytes: number, source: Duplex): void {
    const wait = this.budget?.take(bytes) ?? 0;
    if (wait <= 0) return;
    this.holdUntil = Math.max(this.holdUntil, performance.now() + wait);
    source.pause();
    const later = (ms: number) =>
      setTimeout(() => {
        if (source.destroyed) return;
        // The other direction may have pushed the hold further: wait for that too.
        if (!this.mayRead()) return void later(this.holdUntil - performance.now());
        // Resume only what is not also waiting for its peer to drain (the drain resumes it then).
        const peer = source === this.tunnel ? this.stream : this.tunnel;
        if (!peer?.writableNeedDrain) source.resume();
      }, ms + 1);
    later(wait);
  }

  private localEnded(): void {
    if (this.state !== "relaying") return;
    this.state = "disconnecting";
    this.closeStream();
    this.sendDisconnect();
    this.maybeIdle();
  }

  private sendDisconnect(): void {
    if (this.sentDisconnect) return;
    this.sentDisconnect = true;
    this.tunnel.write(frame(typeByte("disconnect", false), new Uint8Array(0), randomPadding()));
  }

  /** The peer's DISCONNECT: close our side, ACK it, and send ours if we have not. */
  disconnect(): void {
    if (this.state === "idle") return;
    this.gotDisconnect = true;
    this.state = "disconnecting";
    this.closeStream();
    this.tunnel.write(frame(typeByte("disconnect", true), new Uint8Array(0), randomPadding()));
    this.sendDisconnect();
    this.maybeIdle();
  }

  disconnectAck(): void {
    this.gotAck = true;
    this.maybeIdle();
  }

  private maybeIdle(): void {
    if (this.state === "disconnecting" && this.gotDisconnect && this.gotAck) {
      this.state = "idle";
      this.onIdle();
    }
  }

  private closeStream(): void {
    const s = this.stream;
    this.stream = null;
    if (s) {
      s.removeAllListeners("data");
      s.destroy();
    }
    this.tunnel.resume();
  }

  /** The tunnel itself is gone. */
  abort(): void {
    this.closeStream();
    this.state = "idle";
  }
}
