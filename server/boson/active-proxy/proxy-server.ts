// The Active Proxy v2 server (super-node mode): authenticated nodes get a public TCP port from a
// range; each external connection to that port is handed to one of the node's idle tunnel
// connections and relayed. Beyond the reference: an optional allow-list, per-node tunnel and queue
// limits, and metrics. A node's port is kept for 5 minutes after its session ends.
import { randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { x25519 } from "@noble/curves/ed25519.js";
import ipaddr from "ipaddr.js";
import type { KeyPair } from "../keys.ts";
import { authAckBody, parseAuth, sessionContext } from "./v2-handshake.ts";
import { type BoxContext, challengeFrame, classify, connectBody, FrameError, FrameReader, frame, randomPadding, sealWith, typeByte } from "./v2-frames.ts";
import { ByteBudget } from "./byte-budget.ts";
import { listenOnFirstFree } from "./public-port.ts";
import { Relay, type RelayCounters } from "./v2-tunnel.ts";

export interface ProxyServerOptions {
  keys: KeyPair;
  host: string;
  port: number;
  /** Public ports handed out, inclusive. */
  portRange: [number, number];
  /** Who may use the relay (Base58 Node IDs); absent: any node that proves its key. */
  allow?: (nodeId: string) => boolean;
  maxTunnelsPerNode?: number;
  /** External connections waiting for a tunnel, per node; beyond, they are closed. */
  maxQueuedPerNode?: number;
  portCacheMs?: number;
  /** A session with no tunnel left ends after this long. */
  sessionLingerMs?: number;
  /** A connection that has not authenticated by then is closed. */
  handshakeTimeoutMs?: number;
  /** Bytes per second one node may relay, both directions and all its tunnels together; absent: unlimited. */
  nodeBytesPerSecond?: number;
  /** Where the port cache survives a restart of the super node (loaded at start, saved as it changes). */
  portCacheStore?: PortCacheStore;
}

/** Node ID → its port and until when (ms since the epoch) it is kept for it. */
export type PortCacheEntries = [string, { port: number; until: number }][];

export interface PortCacheStore {
  load(): PortCacheEntries;
  save(entries: PortCacheEntries): void;
}

interface Session {
  nodeId: string;
  /** The client's session key from AUTH: every ATTACH must carry the same one. */
  clientSessionPublic: Uint8Array;
  sessionSecret: Uint8Array;
  sessionPublic: Uint8Array;
  port: number;
  listener: Server;
  tunnels: Set<Tunnel>;
  queue: Socket[];
  lingerTimer: ReturnType<typeof setTimeout> | null;
  budget: ByteBudget | undefined;
}

interface Tunnel {
  socket: Socket;
  session: Session;
  box: BoxContext;
  relay: Relay;
  pending: Socket | null;
}

/** AUTH with the longest domain and the most padding the reference adds. */
const MAX_HANDSHAKE_FRAME = 172 + 255 + 255;

export interface ProxyMetrics extends RelayCounters {
  sessions: number;
  tunnels: number;
  connectionsRelayed: number;
  refused: number;
  errors: number;
}

export class ProxyServer {
  private server: Server | null = null;
  private readonly sessions = new Map<string, Session>();
  /** Nodes whose AUTH is waiting for its public port to be bound. */
  private readonly binding = new Set<string>();
  private readonly portCache = new Map<string, { port: number; until: number }>();
  /** Bytes already read from a connection handed over by the gateway, sent before the rest. */
  private readonly heads = new WeakMap<Socket, Uint8Array>();
  private nextPort: number;
  readonly metrics: ProxyMetrics = { sessions: 0, tunnels: 0, connectionsRelayed: 0, refused: 0, errors: 0, bytesIn: 0, bytesOut: 0 };

  constructor(private readonly o: ProxyServerOptions) {
    this.nextPort = o.portRange[0];
  }

  get port(): number {
    const a = this.server?.address();
    return a && typeof a === "object" ? a.port : this.o.port;
  }

  /** The public port a node has now, if it has a session. */
  portOf(nodeId: string): number | null {
    return this.sessions.get(nodeId)?.port ?? null;
  }

  /**
   * Relay a connection that arrived elsewhere (the name gateway) to a node, as if it had come to the
   * node's port; `head` is what was already read from it. False when the node has no session.
   */
  relayTo(nodeId: string, socket: Socket, head: Uint8Array): boolean {
    const session = this.sessions.get(nodeId);
    if (!session) return false;
    if (head.length) this.heads.set(socket, head);
    this.external(session, socket);
    return true;
  }

  async start(): Promise<void> {
    const now = Date.now();
    for (const [nodeId, entry] of this.o.portCacheStore?.load() ?? []) {
      const [from, to] = this.o.portRange;
      if (entry.until > now && entry.port >= from && entry.port <= to && this.portCache.size < 1024) this.portCache.set(nodeId, entry);
    }
    this.server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.o.port, this.o.host, () => resolve());
    });
  }

  stop(): void {
    this.server?.close();
    this.server = null;
    for (const s of this.sessions.values()) this.endSession(s, false);
    this.savePortCache();
  }

  private savePortCache(): void {
    const now = Date.now();
    this.o.portCacheStore?.save([...this.portCache].filter(([, e]) => e.until > now));
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    socket.setTimeout(120_000, () => socket.destroy());
    const challenge = new Uint8Array(randomBytes(32 + Math.floor(Math.random() * 32)));
    const reader = new FrameReader(false);
    let tunnel: Tunnel | null = null;
    /** Chunks that arrive while an AUTH waits for its public port; read once it is bound. */
    let held: Buffer[] | null = null;
    const fail = () => {
      this.metrics.errors++;
      socket.destroy();
    };
    const guarded = (step: () => void) => {
      try {
        step();
      } catch (err) {
        if (!(err instanceof FrameError)) throw err;
        fail();
      }
    };
    const handshake = setTimeout(fail, this.o.handshakeTimeoutMs ?? 10_000);
    socket.once("close", () => clearTimeout(handshake));
    const established = (t: Tunnel | null) => {
      if (!t) return false;
      tunnel = t;
      clearTimeout(handshake);
      return true;
    };
    const handleFrames = (frames: { type: number; body: Uint8Array }[]): void => {
      for (let i = 0; i < frames.length; i++) {
        const f = frames[i]!;
        const { category, ack } = classify(f.type);
        if (tunnel) {
          this.handle(tunnel, category, ack, f.body);
          continue;
        }
        if (ack || (category !== "auth" && category !== "attach")) return fail();
        if (category === "attach") {
          if (!established(this.attach(socket, f.body, challenge))) return;
          continue;
        }
        // AUTH binds the node's public port first: nothing more is read from this connection until then.
        const rest = frames.slice(i + 1);
        held = [];
        socket.pause();
        this.auth(socket, f.body, challenge).then(
          (t) => {
            const later = held ?? [];
            held = null;
            if (!established(t) || socket.destroyed) return void socket.destroy();
            socket.resume();
            guarded(() => handleFrames(rest));
            for (const chunk of later) read(chunk);
          },
          // A refused AUTH, no port left, or the port could not be bound: this connection ends, the super node goes on.
          () => fail(),
        );
        return;
      }
    };
    const read = (chunk: Buffer): void => {
      if (held) {
        held.push(chunk);
        return;
      }
      guarded(() => {
        // Before AUTH/ATTACH, nothing larger than a handshake frame is waited for.
        if (!tunnel && reader.pendingSize(chunk) > MAX_HANDSHAKE_FRAME) return fail();
        handleFrames(reader.push(chunk).frames);
      });
    };
    socket.on("data", read);
    socket.on("error", () => {});
    socket.on("close", () => tunnel && this.dropTunnel(tunnel));
    socket.write(challengeFrame(challenge));
  }

  private async auth(socket: Socket, body: Uint8Array, challenge: Uint8Array): Promise<Tunnel | null> {
    const req = parseAuth(this.o.keys, body, challenge, "auth");
    const nodeId = req.clientId.toString();
    if (this.o.allow && !this.o.allow(nodeId)) {
      this.metrics.refused++;
      socket.destroy();
      return null;
    }
    // One session per node: a second AUTH while one lives (or is being set up) is refused (the node attaches instead).
    if (this.sessions.has(nodeId) || this.binding.has(nodeId)) {
      this.metrics.refused++;
      socket.destroy();
      return null;
    }
    let session: Session | undefined;
    this.binding.add(nodeId);
    let bound: Awaited<ReturnType<typeof listenOnFirstFree>>;
    try {
      bound = await listenOnFirstFree(this.candidatePorts(nodeId), this.o.host, (external) => (session ? this.external(session, external) : external.destroy()));
    } finally {
      this.binding.delete(nodeId);
    }
    if (!bound) throw new FrameError("no public port left in the range");
    if (socket.destroyed || !this.server) {
      bound.server.close();
      return null;
    }
    const sessionSecret = x25519.utils.randomSecretKey();
    session = {
      nodeId,
      clientSessionPublic: req.sessionPublic,
      sessionSecret,
      sessionPublic: x25519.getPublicKey(sessionSecret),
      port: bound.port,
      listener: bound.server,
      tunnels: new Set(),
      queue: [],
      lingerTimer: null,
      budget: this.o.nodeBytesPerSecond ? new ByteBudget(this.o.nodeBytesPerSecond) : undefined,
    };
    this.sessions.set(nodeId, session);
    this.metrics.sessions = this.sessions.size;
    socket.write(frame(typeByte("auth", true), authAckBody(this.o.keys, req.clientId, session.sessionPublic, session.port, false), randomPadding()));
    return this.addTunnel(socket, session, req.sessionPublic, req.nConn);
  }

  private attach(socket: Socket, body: Uint8Array, challenge: Uint8Array): Tunnel | null {
    const req = parseAuth(this.o.keys, body, challenge, "attach");
    const session = this.sessions.get(req.clientId.toString());
    if (!session || !Buffer.from(session.clientSessionPublic).equals(req.sessionPublic) || session.tunnels.size >= (this.o.maxTunnelsPerNode ?? 16)) {
      this.metrics.refused++;
      socket.destroy();
      return null;
    }
    // The ACK goes first: the tunnel may be handed a waiting connection (CONNECT) at once.
    socket.write(frame(typeByte("attach", true), new Uint8Array(0), randomPadding()));
    return this.addTunnel(socket, session, req.sessionPublic, req.nConn);
  }

  private addTunnel(socket: Socket, session: Session, clientSessionPublic: Uint8Array, nConn: Uint8Array): Tunnel {
    if (session.lingerTimer) clearTimeout(session.lingerTimer);
    session.lingerTimer = null;
    const box = sessionContext(clientSessionPublic, session.sessionSecret, nConn);
    const tunnel = { socket, session, box, pending: null } as Omit<Tunnel, "relay"> as Tunnel;
    tunnel.relay = new Relay(socket, box, this.metrics, () => this.nextExternal(tunnel), session.budget);
    session.tunnels.add(tunnel);
    this.metrics.tunnels++;
    this.nextExternal(tunnel);
    return tunnel;
  }

  /** Ports to try for a node, best first: the one it had (if still kept for it), then the range in turn. */
  private *candidatePorts(nodeId: string): Generator<number> {
    const now = Date.now();
    const cached = this.portCache.get(nodeId);
    if (cached && cached.until > now) yield cached.port;
    const used = new Set([...this.sessions.values()].map((s) => s.port));
    const cachedPorts = new Set([...this.portCache.values()].filter((c) => c.until > now).map((c) => c.port));
    const [from, to] = this.o.portRange;
    for (let i = 0; i <= to - from; i++) {
      const port = this.nextPort;
      this.nextPort = this.nextPort >= to ? from : this.nextPort + 1;
      if (!used.has(port) && !cachedPorts.has(port)) yield port;
    }
  }

  private external(session: Session, external: Socket): void {
    external.pause();
    external.setTimeout(60_000, () => external.destroy());
    external.on("error", () => {});
    const idle = [...session.tunnels].find((t) => t.relay.state === "idle" && !t.pending);
    if (idle) return this.connect(idle, external);
    if (session.queue.length >= (this.o.maxQueuedPerNode ?? 64)) {
      this.metrics.refused++;
      external.destroy();
      return;
    }
    session.queue.push(external);
    external.once("close", () => (session.queue = session.queue.filter((s) => s !== external)));
  }

  private nextExternal(tunnel: Tunnel): void {
    const next = tunnel.session.queue.shift();
    if (next) this.connect(tunnel, next);
  }

  private connect(tunnel: Tunnel, external: Socket): void {
    tunnel.pending = external;
    tunnel.relay.state = "connecting";
    const addr = ipaddr.process(external.remoteAddress ?? "0.0.0.0");
    tunnel.socket.write(frame(typeByte("connect", false), sealWith(tunnel.box, connectBody(Uint8Array.from(addr.toByteArray()), external.remotePort ?? 0)), randomPadding()));
  }

  private handle(tunnel: Tunnel, category: string, ack: boolean, body: Uint8Array): void {
    const state = tunnel.relay.state;
    if (category === "ping" && !ack && state !== "relaying") {
      tunnel.socket.write(frame(typeByte("ping", true), new Uint8Array(0), randomPadding()));
    } else if (category === "connect" && ack && state === "connecting") {
      const external = tunnel.pending!;
      tunnel.pending = null;
      if ((body[0]! & 1) === 1 && !external.destroyed) {
        this.metrics.connectionsRelayed++;
        tunnel.relay.begin(external, this.heads.get(external));
      } else {
        external.destroy();
        tunnel.relay.state = "idle";
        this.nextExternal(tunnel);
      }
    } else if (category === "data" && (state === "relaying" || state === "disconnecting")) tunnel.relay.data(body);
    else if (category === "disconnect" && (state === "relaying" || state === "disconnecting")) {
      if (ack) tunnel.relay.disconnectAck();
      else tunnel.relay.disconnect();
    } else throw new FrameError(`${category}${ack ? " ack" : ""} in state ${state}`);
  }

  private dropTunnel(tunnel: Tunnel): void {
    const session = tunnel.session;
    if (!session.tunnels.delete(tunnel)) return;
    this.metrics.tunnels--;
    tunnel.pending?.destroy();
    tunnel.relay.abort();
    if (session.tunnels.size === 0 && this.sessions.get(session.nodeId) === session) {
      session.lingerTimer = setTimeout(() => this.endSession(session), this.o.sessionLingerMs ?? 5_000);
    }
  }

  private endSession(session: Session, save = true): void {
    if (session.lingerTimer) clearTimeout(session.lingerTimer);
    for (const t of session.tunnels) t.socket.destroy();
    for (const q of session.queue) q.destroy();
    session.listener.close();
    if (this.sessions.get(session.nodeId) === session) this.sessions.delete(session.nodeId);
    this.metrics.sessions = this.sessions.size;
    if (this.portCache.size >= 1024) this.portCache.delete(this.portCache.keys().next().value!);
    this.portCache.set(session.nodeId, { port: session.port, until: Date.now() + (this.o.portCacheMs ?? 5 * 60_000) });
    if (save) this.savePortCache();
  }
}
