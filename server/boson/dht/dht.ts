// A DHT node for one address family (IPv4 or IPv6): answers the six v2 requests, keeps its routing
// table fresh on the reference's schedule, and offers the look-ups and publications the rest of
// PC2 needs (find a node, find or store a value, find or announce a peer).
import ipaddr from "ipaddr.js";
import { Id } from "../id.ts";
import type { KeyPair } from "../keys.ts";
import { nodeInfoIsValid } from "../node-info.ts";
import type { NodeInfoRecord, PeerRecord, Request, Response, Value } from "../v2/messages.ts";
import { valueId, valueIsValid, peerIsValid } from "../v2/records.ts";
import type { AbuseGuard } from "./abuse-guard.ts";
import { iterativeLookup, type LookupAnswer, type LookupResult } from "./lookup.ts";
import type { RecordStore } from "./record-store.ts";
import { type Contact, K, type PersistedEntry, RoutingTable } from "./routing-table.ts";
import { type Reply, RpcServer } from "./rpc-server.ts";
import { answer } from "./request-answers.ts";
import type { TokenManager } from "./tokens.ts";

export const SCHEDULE = {
  tickMs: 1_000,
  /** Bootstrap again below this many entries (or every 30 minutes). */
  minTableSize: 30,
  rebootstrapMs: 30 * 60_000,
  bucketRefreshMs: 15 * 60_000,
  randomLookupMs: 10 * 60_000,
  pingRandomMs: 10_000,
  persistMs: 10 * 60_000,
  reannounceCheckMs: 5 * 60_000,
  reannounceAfterMs: 110 * 60_000,
};

export interface DhtOptions {
  keys: KeyPair;
  family: 4 | 6;
  host: string;
  port: number;
  bootstrap: Contact[];
  store: RecordStore;
  tokens: TokenManager;
  abuse?: AbuseGuard;
  /** Accept loopback and private addresses as routable (tests and private networks only). */
  developmentMode: boolean;
  /** Saved routing table: loaded at start, written on the schedule and at stop. */
  persistence?: { load(): PersistedEntry[]; save(entries: PersistedEntry[]): void };
  now?: () => number;
  maxTimeoutMs?: number;
  /** Run the maintenance schedule (off in look-up benchmarks that drive the node by hand). */
  maintain?: boolean;
  /** This node's signed node_info statement (PC2 nodes); without it, node_info requests get 204. */
  nodeInfo?: () => NodeInfoRecord;
}

export interface Published {
  kind: "value" | "peer";
  value?: Value;
  peer?: PeerRecord;
  at: number;
}

const PUBLIC_RANGES = new Set(["unicast"]);
const DEVELOPMENT_RANGES = new Set(["unicast", "private", "loopback", "uniqueLocal", "linkLocal", "carrierGradeNat"]);

export class Dht {
  readonly table: RoutingTable;
  readonly rpc: RpcServer;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly now: () => number;
  private readonly due = new Map<string, number>();
  private readonly published = new Map<string, Published>();
  private bootstrapping: Promise<void> | null = null;
  private readonly pingedBack = new Map<string, number>();
  lastBootstrap = 0;
  lastAnnounce = 0;

  constructor(private readonly o: DhtOptions) {
    this.now = o.now ?? Date.now;
    this.table = new RoutingTable(o.keys.id, this.now);
    this.rpc = new RpcServer({ keys: o.keys, host: o.host, port: o.port, abuse: o.abuse, maxTimeoutMs: o.maxTimeoutMs });
    this.rpc.handler = (from, request) => this.handle(from, request);
  }

  get id(): Id {
    return this.o.keys.id;
  }
  get family(): 4 | 6 {
    return this.o.family;
  }
  get port(): number {
    return this.rpc.port;
  }
  get contact(): Contact {
    return { id: this.id, host: this.o.host, port: this.port };
  }

  /** Whether an address may go into the routing table (public unicast; more in development mode). */
  routable(host: string): boolean {
    let addr: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      addr = ipaddr.parse(host);
    } catch {
      return false;
    }
    if ((addr.kind() === "ipv4") !== (this.o.family === 4)) return false;
    return (this.o.developmentMode ? DEVELOPMENT_RANGES : PUBLIC_RANGES).has(addr.range());
  }

  async start(): Promise<void> {
    await this.rpc.start();
    const remembered: Contact[] = [];
    for (const e of this.o.persistence?.load() ?? []) {
      try {
        const contact = { id: Id.parse(e.id), host: e.host, port: e.port };
        if (this.routable(contact.host)) remembered.push(contact);
      } catch {}
    }
    this.table.restore(remembered);
    if (this.o.maintain !== false) this.timer = setInterval(() => void this.tick(), SCHEDULE.tickMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.persist();
    this.rpc.stop();
  }

  persist(): void {
    this.o.persistence?.save(this.table.export());
  }

  private every(task: string, ms: number): boolean {
    const now = this.now();
    if ((this.due.get(task) ?? 0) > now) return false;
    this.due.set(task, now + ms);
    return true;
  }

  /** One pass of the maintenance schedule. */
  async tick(): Promise<void> {
    if (this.table.size < SCHEDULE.minTableSize ? this.every("bootstrap", 60_000) : this.every("bootstrap", SCHEDULE.rebootstrapMs)) await this.bootstrap();
    if (this.every("ping", SCHEDULE.pingRandomMs)) {
      const e = this.table.randomEntry();
      if (e) await this.ping(e).catch(() => {});
    }
    if (this.every("refresh", 60_000)) for (const target of this.table.refreshTargets(SCHEDULE.bucketRefreshMs)) await this.findNodes(target);
    if (this.every("random", SCHEDULE.randomLookupMs)) await this.findNodes(Id.random());
    if (this.every("persist", SCHEDULE.persistMs)) this.persist();
    if (this.every("reannounce", SCHEDULE.reannounceCheckMs)) await this.reannounce();
  }

  /** Ping the bootstrap nodes and the saved table, then look up our own ID to fill the home bucket. */
  bootstrap(): Promise<void> {
    this.bootstrapping ??= (async () => {
      const seeds = [...this.o.bootstrap, ...this.table.all()];
      await Promise.all(seeds.map((c) => this.ping(c).catch(() => {})));
      await this.findNodes(this.id, this.o.bootstrap);
      this.lastBootstrap = this.now();
    })().finally(() => (this.bootstrapping = null));
    return this.bootstrapping;
  }

  async ping(c: Contact): Promise<void> {
    await this.ask(c, { method: "ping" });
  }

  /** A request whose answer or silence updates the routing table. */
  private async ask(c: Contact, request: Request): Promise<Response> {
    try {
      const response = await this.rpc.request(c, request);
      if (this.routable(c.host)) this.table.put(c, true);
      return response;
    } catch (err) {
      this.table.failed(c.id);
      throw err;
    }
  }

  private want(token: boolean) {
    return { ipv4: this.o.family === 4, ipv6: this.o.family === 6, token };
  }

  private lookup(target: Id, request: Request, seeds: Contact[] = [], enough?: (a: LookupAnswer[]) => boolean): Promise<LookupResult> {
    return iterativeLookup({
      target,
      localId: this.id,
      seeds: [...this.table.closest(target, K * 2), ...seeds],
      nodesOf: (r) => ("nodes4" in r ? (this.o.family === 4 ? r.nodes4 : r.nodes6) : []),
      ask: (c) => this.ask(c, request),
      accept: (c) => this.routable(c.host) && !this.rpc.abuse.isBanned(c.host),
      enough,
    });
  }

  /** The K nodes closest to `target` that answered (nearest first), with the tokens they gave. */
  findNodes(target: Id, seeds: Contact[] = []): Promise<LookupResult> {
    return this.lookup(target, { method: "find_node", target, want: this.want(true) }, seeds);
  }

  /** A node by its ID, if it can be found. */
  async findNode(id: Id): Promise<Contact | null> {
    const known = this.table.get(id);
    if (known) return { id, host: known.host, port: known.port };
    const result = await this.lookup(id, { method: "find_node", target: id, want: this.want(false) }, [], (answers) =>
      answers.some((a) => "nodes4" in a.response && [...a.response.nodes4, ...a.response.nodes6].some((n) => n.id.equals(id))),
    );
    for (const a of result.answers) if (a.contact.id.equals(id)) return a.contact;
    for (const a of result.answers) if ("nodes4" in a.response) for (const n of [...a.response.nodes4, ...a.response.nodes6]) if (n.id.equals(id)) return { id: n.id, host: n.host, port: n.port };
    return null;
  }

  /** A value by ID: an immutable one as soon as found; a mutable one with the highest valid seq. */
  async findValue(id: Id, minSeq = -1): Promise<{ value: Value | null; rounds: number }> {
    const local = this.o.store.getValue(id, minSeq);
    const found = (answers: LookupAnswer[]) =>
      answers.flatMap((a) => (a.response.method === "find_value" && a.response.value && valueIsValid(a.response.value) && valueId(a.response.value).equals(id) ? [a.response.value] : []));
    const result = await this.lookup(id, { method: "find_value", target: id, want: this.want(false), seq: minSeq }, [], (answers) => found(answers).some((v) => !v.publicKey));
    const values = [...found(result.answers), ...(local ? [local] : [])].filter((v) => minSeq < 0 || !v.publicKey || v.seq >= minSeq);
    values.sort((a, b) => b.seq - a.seq);
    return { value: values[0] ?? null, rounds: result.rounds };
  }

  /** Store a value on the K nodes closest to its ID; remembered and re-announced while we run. */
  async storeValue(value: Value, opts: { cas?: number; persistent?: boolean } = {}): Promise<number> {
    const id = valueId(value);
    const result = await this.lookup(id, { method: "find_node", target: id, want: this.want(true) });
    const stored = await Promise.all(
      result.closest.map(({ contact, token }) =>
        this.ask(contact, { method: "store_value", token, value, cas: opts.cas ?? -1 }).then(
          () => 1,
          () => 0,
        ),
      ),
    );
    if (opts.persistent) this.published.set(`v:${id.toString()}`, { kind: "value", value, at: this.now() });
    return stored.reduce((a: number, b) => a + b, 0);
  }

  /** Peers announced for a peer ID, with valid signatures. */
  async findPeers(peerId: Id, expected = 1): Promise<{ peers: PeerRecord[]; rounds: number }> {
    const seen = new Map<string, PeerRecord>();
    for (const p of this.o.store.getPeers(peerId)) seen.set(`${p.nodeId.toString()}:${p.origin.toString()}`, p);
    let read = 0;
    // Answers only grow: each is read (and its signatures checked) once.
    const collect = (answers: LookupAnswer[]) => {
      for (; read < answers.length; read++) {
        const r = answers[read]!.response;
        if (r.method === "find_peer") for (const p of r.peers) if (p.peerId.equals(peerId) && peerIsValid(p)) seen.set(`${p.nodeId.toString()}:${p.origin.toString()}`, p);
      }
      return seen.size;
    };
    const ask = () => {
      read = 0; // a new look-up, a new list of answers
      return this.lookup(peerId, { method: "find_peer", target: peerId, want: this.want(true) }, [], (a) => collect(a) >= expected);
    };
    let result = await ask();
    collect(result.answers);
    // Nothing found: once more. Contacts that timed out are now marked failed, so the second pass goes around them.
    if (seen.size === 0) {
      result = await ask();
      collect(result.answers);
    }
    return { peers: [...seen.values()], rounds: result.rounds };
  }

  /** Announce a peer record (signed by the peer key; origin = this node) to the K closest nodes. */
  async announcePeer(peer: PeerRecord, opts: { persistent?: boolean } = {}): Promise<number> {
    if (!peer.origin.equals(this.id)) throw new RangeError("only the origin node announces a peer record");
    const result = await this.lookup(peer.peerId, { method: "find_peer", target: peer.peerId, want: this.want(true) });
    const request = (token: number): Request => ({
      method: "announce_peer",
      token,
      peerId: peer.peerId,
      nodeId: peer.nodeId.equals(this.id) ? null : peer.nodeId,
      port: peer.port,
      alt: peer.alt,
      signature: peer.signature,
    });
    const stored = await Promise.all(
      result.closest.map(({ contact, token }) =>
        this.ask(contact, request(token)).then(
          () => 1,
          () => 0,
        ),
      ),
    );
    if (opts.persistent) this.published.set(`p:${peer.peerId.toString()}`, { kind: "peer", peer, at: this.now() });
    // This node is one of the K closest too (always, for its own Node ID as the peer ID): it keeps
    // the record as they do, so while it is up a look-up that reaches it finds it, whoever else left.
    const farthest = result.closest.at(-1)?.contact.id;
    let self = 0;
    if (result.closest.length < K || !farthest || peer.peerId.compareDistance(this.id, farthest) < 0) {
      this.o.store.putPeer(peer);
      self = 1;
    }
    const count = stored.reduce((a: number, b) => a + b, 0) + self;
    // "Announced" means some node took the record, not that we tried.
    if (count > 0) this.lastAnnounce = this.now();
    return count;
  }

  /** Ask a node about itself; its answer counts only if signed by the ID we asked (and fresh). */
  async nodeInfo(c: Contact): Promise<NodeInfoRecord> {
    const r = await this.ask(c, { method: "node_info" });
    if (r.method !== "node_info" || !nodeInfoIsValid(c.id, r.info)) throw new RangeError("node_info not signed by that node, or too old");
    return r.info;
  }

  /** Publish again what we publish when its last announcement is older than the reference's 110 minutes. */
  async reannounce(force = false): Promise<void> {
    for (const [key, p] of this.published) {
      if (!force && this.now() - p.at < SCHEDULE.reannounceAfterMs) continue;
      if (p.kind === "value") await this.storeValue(p.value!, { persistent: true });
      else await this.announcePeer(p.peer!, { persistent: true });
      this.published.set(key, { ...p, at: this.now() });
    }
  }

  /** True (and noted) if this contact was not pinged back within the last minute. */
  private mayPingBack(c: Contact): boolean {
    const key = `${c.id.toString()}@${c.host}:${c.port}`;
    const now = this.now();
    if ((this.pingedBack.get(key) ?? 0) > now - 60_000) return false;
    if (this.pingedBack.size >= 4096) this.pingedBack.clear();
    this.pingedBack.set(key, now);
    return true;
  }

  /** Answer one request (every one gets an answer, so real nodes keep us in their tables). */
  private handle(from: Contact, request: Request): Reply {
    // A node we do not know gets a ping back if it could take a place in the table (it enters only
    // if it answers from that address); at most one ping per contact a minute, so two nodes with
    // full buckets never ping each other in a loop.
    if (this.table.get(from.id)) this.table.put(from, false);
    else if (this.routable(from.host) && this.table.hasRoomFor(from.id) && this.mayPingBack(from)) void this.ping(from).catch(() => {});
    return answer({ family: this.o.family, table: this.table, store: this.o.store, tokens: this.o.tokens, nodeInfo: this.o.nodeInfo, routable: (h) => this.routable(h) }, from, request);
  }
}
