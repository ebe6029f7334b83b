// One UDP socket speaking the v2 DHT: sends requests and matches their answers (by transaction ID,
// the address the request went to, and the expected node ID), answers incoming requests through a
// handler, and keeps bad traffic out (throttle, blacklist, size limits) before any work is done.
import ipaddr from "ipaddr.js";
import { Id } from "../id.ts";
import type { KeyPair } from "../keys.ts";
import { DatagramCodec, MAX_DATAGRAM_IN } from "../v2/datagram.ts";
import { ERROR, type Message, PC2_VERSION, ProtocolError, type Request, type Response } from "../v2/messages.ts";
import { AbuseGuard } from "./abuse-guard.ts";
import type { Contact } from "./routing-table.ts";

export class RpcTimeoutError extends Error {}
export class RpcRemoteError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** An answer, an error, or null to drop the request without a word (as the reference does with some). */
export type Reply = Response | { error: number; message: string } | null;
export type RequestHandler = (from: Contact, request: Request) => Reply;

export interface RpcOptions {
  keys: KeyPair;
  host: string;
  port: number;
  abuse?: AbuseGuard;
  /** Longest wait for an answer (the adaptive timeout never exceeds it). */
  maxTimeoutMs?: number;
  minTimeoutMs?: number;
}

interface Pending {
  to: Contact;
  method: Request["method"];
  resolve: (r: Response) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  sentAt: number;
  /** The wait sat out an event-loop stall: its round trip says nothing about the peer. */
  stalled: boolean;
}

/** A timer this late (ms) fired after the event loop stalled, not after a silent peer. */
const STALL_MS = 50;
/** How many stalls one request may sit out before it times out anyway. */
const MAX_STALL_EXTENSIONS = 2;

export interface RpcStats {
  sent: number;
  received: number;
  answered: number;
  timeouts: number;
  badPackets: number;
  dropped: number;
  unreachable: number;
}

/** An IPv4-mapped IPv6 address (a dual-stack socket's view of an IPv4 peer) as plain IPv4. */
export function plainAddress(host: string): string {
  if (!host.includes(":")) return host;
  const parsed = ipaddr.parse(host) as ipaddr.IPv6;
  return parsed.isIPv4MappedAddress() ? parsed.toIPv4Address().toString() : parsed.toString();
}

export class RpcServer {
  private socket: Bun.udp.Socket<"buffer"> | null = null;
  private readonly codec: DatagramCodec;
  private readonly pending = new Map<number, Pending>();
  private nextTxid = 1 + Math.floor(Math.random() * 32767);
  private srtt = 0;
  private rttvar = 0;
  readonly abuse: AbuseGuard;
  readonly stats: RpcStats = { sent: 0, received: 0, answered: 0, timeouts: 0, badPackets: 0, dropped: 0, unreachable: 0 };
  handler: RequestHandler = () => ({ error: ERROR.server, message: "not ready" });

  constructor(private readonly opts: RpcOptions) {
    this.codec = new DatagramCodec(opts.keys);
    this.abuse = opts.abuse ?? new AbuseGuard();
  }

  get port(): number {
    return this.socket?.port ?? this.opts.port;
  }

  get localId(): Id {
    return this.opts.keys.id;
  }

  async start(): Promise<void> {
    this.socket = await Bun.udpSocket({
      hostname: this.opts.host,
      port: this.opts.port,
      socket: {
        data: (_s, data, port, address) => this.receive(data, plainAddress(address), port),
        // ICMP "port unreachable" from a node that went away comes back as ECONNREFUSED on the
        // socket; the request it answers simply times out.
        error: () => {
          this.stats.unreachable++;
        },
      },
    });
  }

  stop(): void {
    this.socket?.close();
    this.socket = null;
    for (const [txid, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new RpcTimeoutError("the node stopped"));
      this.pending.delete(txid);
    }
  }

  /** The current wait for an answer: smoothed round trip plus four deviations, within bounds. */
  timeoutMs(): number {
    const max = this.opts.maxTimeoutMs ?? 10_000;
    const min = this.opts.minTimeoutMs ?? 200;
    if (this.srtt === 0) return Math.min(max, 2_000);
    return Math.max(min, Math.min(max, Math.round(this.srtt + 4 * this.rttvar)));
  }

  private txid(): number {
    for (;;) {
      const t = this.nextTxid;
      this.nextTxid = this.nextTxid >= 2 ** 31 - 1 ? 1 : this.nextTxid + 1;
      if (!this.pending.has(t)) return t;
    }
  }

  request(to: Contact, request: Request): Promise<Response> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new RpcTimeoutError("the node is stopped"));
    const txid = this.txid();
    const datagram = this.codec.encode(to.id, { txid, version: PC2_VERSION, type: "request", request });
    return new Promise<Response>((resolve, reject) => {
      const wait = this.timeoutMs();
      const sentAt = performance.now();
      const entry: Pending = { to, method: request.method, resolve, reject, timer: undefined as unknown as Pending["timer"], sentAt, stalled: false };
      // A timer that fires late means the event loop was busy (a GC pause, a burst of work): the
      // answer may be sitting unread in the socket. Such a wait does not count: give the loop one
      // more full wait with I/O flowing before calling the node unresponsive.
      let due = sentAt + wait;
      let extensions = 0;
      const expire = () => {
        const late = performance.now() - due;
        if (late > STALL_MS && extensions < MAX_STALL_EXTENSIONS) {
          extensions++;
          entry.stalled = true;
          due = performance.now() + wait;
          entry.timer = setTimeout(expire, wait);
          return;
        }
        this.pending.delete(txid);
        this.stats.timeouts++;
        reject(new RpcTimeoutError(`no answer from ${to.host}:${to.port}`));
      };
      entry.timer = setTimeout(expire, wait);
      this.pending.set(txid, entry);
      this.stats.sent++;
      socket.send(datagram, to.port, to.host);
    });
  }

  private reply(to: Contact, txid: number, reply: Reply, method: Request["method"]): void {
    if (reply === null) return;
    const body: Message =
      "error" in reply ? { txid, version: PC2_VERSION, type: "error", method, code: reply.error, message: reply.message } : { txid, version: PC2_VERSION, type: "response", response: reply };
    try {
      this.socket?.send(this.codec.encode(to.id, body), to.port, to.host);
      this.stats.answered++;
    } catch (err) {
      // An answer over the datagram limit: say so instead (it always fits).
      if (err instanceof ProtocolError && !("error" in reply)) this.reply(to, txid, { error: ERROR.tooBig, message: "answer too big" }, method);
    }
  }

  private receive(data: Buffer, host: string, port: number): void {
    if (!this.abuse.admit(host)) return;
    if (data.length > MAX_DATAGRAM_IN) {
      this.stats.badPackets++;
      this.abuse.badPacket(host);
      return;
    }
    let sender: Id;
    let message: Message;
    try {
      ({ sender, message } = this.codec.decode(new Uint8Array(data.buffer, data.byteOffset, data.length)));
    } catch (err) {
      this.stats.badPackets++;
      this.abuse.badPacket(host);
      // A readable request that is malformed gets error 203 (or 204), as the reference answers.
      const txid = (err as { txid?: number }).txid;
      if (txid !== undefined && data.length >= 32) {
        try {
          const from = { id: Id.of(new Uint8Array(data.subarray(0, 32))), host, port };
          const code = (err as { unknownMethod?: boolean }).unknownMethod ? ERROR.unknownMethod : ERROR.protocol;
          this.reply(from, txid, { error: code, message: (err as Error).message }, "ping");
        } catch {}
      }
      return;
    }
    this.stats.received++;
    this.abuse.seen(host, sender.toString());
    if (this.abuse.isBanned(sender.toString())) return;
    const from: Contact = { id: sender, host, port };
    if (message.type === "request") {
      this.reply(from, message.txid, this.handler(from, message.request), message.request.method);
      return;
    }
    const pending = this.pending.get(message.txid);
    // An answer counts only from the address we asked and with the ID we expected.
    if (!pending || pending.to.host !== host || pending.to.port !== port || !pending.to.id.equals(sender)) return;
    this.pending.delete(message.txid);
    clearTimeout(pending.timer);
    if (!pending.stalled) this.observeRtt(performance.now() - pending.sentAt);
    if (message.type === "error") pending.reject(new RpcRemoteError(message.code, message.message));
    else if (message.response.method !== pending.method) pending.reject(new RpcRemoteError(ERROR.protocol, `a ${message.response.method} answer to a ${pending.method} request`));
    else pending.resolve(message.response);
  }

  private observeRtt(rtt: number): void {
    if (this.srtt === 0) {
      this.srtt = rtt;
      this.rttvar = rtt / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - rtt);
      this.srtt = 0.875 * this.srtt + 0.125 * rtt;
    }
  }
}
