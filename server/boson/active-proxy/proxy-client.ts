// The Active Proxy v2 client (every node behind a router): authenticates to a super node with the
// node key, gets a public port, and keeps a pool of tunnel connections, one relayed stream each,
// that grows with demand. Each relayed connection goes to the node's own HTTP server. Pings only
// while idle; reconnects with backoff; reports its state.
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { x25519 } from "@noble/curves/ed25519.js";
import ipaddr from "ipaddr.js";
import type { Id } from "../id.ts";
import type { KeyPair } from "../keys.ts";
import { authBody, parseAuthAck, sessionContext } from "./v2-handshake.ts";
import { type BoxContext, CONNECT_BOX_BYTES, classify, FrameError, FrameReader, frame, openWith, parseConnectBody, randomPadding, typeByte } from "./v2-frames.ts";
import { Relay, type RelayCounters } from "./v2-tunnel.ts";
import { LazyUpstream, type UpstreamTarget } from "./lazy-upstream.ts";

export interface ProxyClientOptions {
  keys: KeyPair;
  server: { id: Id; host: string; port: number };
  /**
   * Where relayed connections go: the node's own HTTP server (a function: looked up per connection;
   * a function of the client's first bytes: chosen once they arrive, e.g. TLS or plain HTTP).
   */
  upstream: { host: string; port: number } | { path: string } | (() => { host: string; port: number }) | { byFirstBytes: (first: Uint8Array) => UpstreamTarget };
  /**
   * A relayed connection reached the upstream from `localPort`, for the external client at
   * `client` (as the super node reports it); the function returned is called when it closes.
   */
  onRelayed?: (localPort: number, client: string) => () => void;
  maxTunnels?: number;
  /** Idle tunnels kept ready for the next connection. */
  spareTunnels?: number;
  pingIntervalMs?: number;
  maxBackoffMs?: number;
}

export type ProxyState =
  | { state: "stopped" }
  | { state: "connecting"; attempt: number }
  | { state: "online"; endpoint: string; port: number }
  | { state: "failing"; reason: string; retryInMs: number };

interface ClientTunnel {
  socket: Socket;
  relay: Relay | null;
  box: BoxContext | null;
}

export class ProxyClient {
  private readonly sessionSecret = x25519.utils.randomSecretKey();
  private readonly sessionPublic = x25519.getPublicKey(this.sessionSecret);
  private serverSessionPublic: Uint8Array | null = null;
  private readonly tunnels = new Set<ClientTunnel>();
  private stopped = true;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  readonly counters: RelayCounters = { bytesIn: 0, bytesOut: 0 };
  status: ProxyState = { state: "stopped" };
  onStatus: (s: ProxyState) => void = () => {};

  constructor(private readonly o: ProxyClientOptions) {}

  start(): void {
    this.stopped = false;
    this.open("auth");
    this.pingTimer = setInterval(() => this.pingIdle(), this.o.pingIntervalMs ?? 50_000 + Math.floor(Math.random() * 10_000));
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const t of this.tunnels) t.socket.destroy();
    this.tunnels.clear();
    this.setStatus({ state: "stopped" });
  }

  get tunnelCount(): number {
    return this.tunnels.size;
  }

  private setStatus(s: ProxyState): void {
    this.status = s;
    this.onStatus(s);
  }

  private open(kind: "auth" | "attach"): void {
    if (this.stopped) return;
    if (kind === "auth") this.setStatus({ state: "connecting", attempt: this.failures + 1 });
    const nConn = new Uint8Array(randomBytes(24));
    const socket = connect(this.o.server.port, this.o.server.host);
    socket.setNoDelay(true);
    const tunnel: ClientTunnel = { socket, relay: null, box: null };
    this.tunnels.add(tunnel);
    const reader = new FrameReader(true);
    let authenticated = false;
    socket.on("data", (chunk: Buffer) => {
      try {
        const got = reader.push(chunk);
        if (got.challenge) socket.write(frame(typeByte(kind, false), authBody(this.o.keys, this.o.server.id, this.sessionPublic, nConn, got.challenge, kind)));
        for (const f of got.frames) {
          const { category, ack } = classify(f.type);
          if (!authenticated) {
            if (category !== kind || !ack) throw new FrameError(`expected ${kind} ack, got ${category}`);
            if (kind === "auth") {
              const a = parseAuthAck(this.o.keys, this.o.server.id, f.body);
              this.serverSessionPublic = a.sessionPublic;
              this.failures = 0;
              this.setStatus({ state: "online", endpoint: `${this.o.server.host.includes(":") ? `[${this.o.server.host}]` : this.o.server.host}:${a.port}`, port: a.port });
            }
            authenticated = true;
            tunnel.box = sessionContext(this.serverSessionPublic!, this.sessionSecret, nConn);
            tunnel.relay = new Relay(socket, tunnel.box, this.counters, () => this.grow());
            this.grow();
            continue;
          }
          this.handle(tunnel, category, ack, f.body);
        }
      } catch (err) {
        if (!(err instanceof FrameError)) throw err;
        socket.destroy(err);
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.tunnels.delete(tunnel);
      tunnel.relay?.abort();
      if (this.stopped) return;
      const authTunnelLost = !authenticated && kind === "auth";
      const allGone = [...this.tunnels].every((t) => !t.relay);
      if (authTunnelLost || allGone) this.retry(authTunnelLost ? "the super node refused or closed the connection" : "every tunnel closed");
      else this.grow();
    });
  }

  /** Reconnect from the start (a new AUTH) after a pause that doubles with each failure. */
  private retry(reason: string): void {
    for (const t of this.tunnels) t.socket.destroy();
    this.tunnels.clear();
    this.failures++;
    const delay = Math.min(this.o.maxBackoffMs ?? 60_000, 500 * 2 ** Math.min(this.failures, 10));
    this.setStatus({ state: "failing", reason, retryInMs: delay });
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open("auth"), delay);
  }

  /** Keep spare idle tunnels (up to the maximum) so the next connection finds one. */
  private grow(): void {
    if (this.stopped || !this.serverSessionPublic) return;
    const ready = [...this.tunnels].filter((t) => !t.relay || t.relay.state === "idle").length;
    const want = this.o.spareTunnels ?? 1;
    for (let i = ready; i < want && this.tunnels.size < (this.o.maxTunnels ?? 16); i++) this.open("attach");
  }

  private handle(tunnel: ClientTunnel, category: string, ack: boolean, body: Uint8Array): void {
    const relay = tunnel.relay!;
    if (category === "ping" && ack) return;
    if (category === "connect" && !ack && relay.state === "idle") {
      // The box is 35 bytes; random padding follows it. The external client's address is the super
      // node's word: good for telling clients apart (rate limits, logs), never for granting anything.
      const external = parseConnectBody(openWith(tunnel.box!, body.subarray(0, CONNECT_BOX_BYTES)));
      relay.state = "connecting";
      const client = ipaddr.fromByteArray([...external.address]).toString();
      if ("byFirstBytes" in this.o.upstream) {
        // Nothing to connect to until the client speaks: accept now, connect on its first bytes.
        const lazy = new LazyUpstream(this.o.upstream.byFirstBytes, (socket) => {
          if (this.o.onRelayed && socket.localPort) socket.once("close", this.o.onRelayed(socket.localPort, client));
        });
        lazy.on("error", () => {});
        tunnel.socket.write(frame(typeByte("connect", true), Uint8Array.of(1 | (randomBytes(1)[0]! & 0xfe)), randomPadding()));
        relay.begin(lazy);
        this.grow();
        return;
      }
      const to = typeof this.o.upstream === "function" ? this.o.upstream() : this.o.upstream;
      const upstream = "path" in to ? connect(to.path) : connect(to.port, to.host);
      upstream.pause();
      upstream.once("connect", () => {
        if (this.o.onRelayed && upstream.localPort) upstream.once("close", this.o.onRelayed(upstream.localPort, client));
        tunnel.socket.write(frame(typeByte("connect", true), Uint8Array.of(1 | (randomBytes(1)[0]! & 0xfe)), randomPadding()));
        relay.begin(upstream);
        this.grow();
      });
      upstream.once("error", () => {
        if (relay.state !== "connecting") return;
        relay.state = "idle";
        tunnel.socket.write(frame(typeByte("connect", true), Uint8Array.of(randomBytes(1)[0]! & 0xfe), randomPadding()));
      });
    } else if (category === "data") relay.data(body);
    else if (category === "disconnect") {
      if (ack) relay.disconnectAck();
      else relay.disconnect();
    } else throw new FrameError(`${category}${ack ? " ack" : ""} in state ${relay.state}`);
  }

  /** PING on idle tunnels only (a ping while relaying would close the tunnel on the server). */
  private pingIdle(): void {
    for (const t of this.tunnels) if (t.relay?.state === "idle") t.socket.write(frame(typeByte("ping", false), new Uint8Array(0), randomPadding()));
  }
}
