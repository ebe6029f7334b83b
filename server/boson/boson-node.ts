// A Boson node: the IPv4 and IPv6 DHTs on one port, sharing one identity, token secret, record
// store and abuse guard. Look-ups run in every family that is up and take the first answer.
import { Id } from "./id.ts";
import type { KeyPair } from "./keys.ts";
import type { NodeInfoRecord, PeerRecord, Value } from "./v2/messages.ts";
import { AbuseGuard, REFERENCE_ABUSE_LIMITS, type AbuseLimits } from "./dht/abuse-guard.ts";
import { Dht } from "./dht/dht.ts";
import { RecordStore } from "./dht/record-store.ts";
import type { Contact, PersistedEntry } from "./dht/routing-table.ts";
import { TokenManager } from "./dht/tokens.ts";

export interface BosonNodeOptions {
  keys: KeyPair;
  port: number;
  /** Addresses to bind; an absent family is not run. */
  ipv4?: string;
  ipv6?: string;
  bootstrap: Contact[];
  /** How many values and peer records this node keeps for others. */
  maxRecords: number;
  developmentMode: boolean;
  persistence?: (family: 4 | 6) => { load(): PersistedEntry[]; save(entries: PersistedEntry[]): void };
  abuseLimits?: AbuseLimits;
  maxTimeoutMs?: number;
  maintain?: boolean;
  now?: () => number;
  nodeInfo?: () => NodeInfoRecord;
}

export class BosonNode {
  readonly dhts: Dht[] = [];
  readonly store: RecordStore;
  readonly abuse: AbuseGuard;

  private readonly tokens: TokenManager;

  constructor(readonly o: BosonNodeOptions) {
    this.store = new RecordStore(o.maxRecords, o.now);
    this.abuse = new AbuseGuard(o.abuseLimits ?? REFERENCE_ABUSE_LIMITS, o.now);
    this.tokens = new TokenManager(o.now);
  }

  get id(): Id {
    return this.o.keys.id;
  }

  /** Bind each configured family; with port 0 the IPv6 socket takes the port the IPv4 one got. */
  async start(): Promise<void> {
    const families: [4 | 6, string | undefined][] = [
      [4, this.o.ipv4],
      [6, this.o.ipv6],
    ];
    for (const [family, host] of families) {
      if (host === undefined) continue;
      const dht = new Dht({
        keys: this.o.keys,
        family,
        host,
        port: this.o.port || (this.dhts[0]?.port ?? 0),
        bootstrap: this.o.bootstrap.filter((b) => b.host.includes(":") === (family === 6)),
        store: this.store,
        tokens: this.tokens,
        abuse: this.abuse,
        developmentMode: this.o.developmentMode,
        persistence: this.o.persistence?.(family),
        now: this.o.now,
        maxTimeoutMs: this.o.maxTimeoutMs,
        maintain: this.o.maintain,
        nodeInfo: this.o.nodeInfo,
      });
      try {
        await dht.start();
      } catch (err) {
        // One family failed to bind: the other does not stay half-started.
        this.stop();
        throw err;
      }
      this.dhts.push(dht);
    }
  }

  stop(): void {
    for (const dht of this.dhts.splice(0)) dht.stop();
  }

  async bootstrap(): Promise<void> {
    await Promise.all(this.dhts.map((d) => d.bootstrap()));
  }

  /** The first family's answer that finds the node. */
  async findNode(id: Id): Promise<Contact | null> {
    const found = await Promise.all(this.dhts.map((d) => d.findNode(id).catch(() => null)));
    return found.find((c) => c !== null) ?? null;
  }

  /** A node's signed statement about itself, asked in the family of its address. */
  async nodeInfo(c: Contact): Promise<NodeInfoRecord> {
    const dht = this.dhts.find((d) => d.family === (c.host.includes(":") ? 6 : 4));
    if (!dht) throw new RangeError(`no IPv${c.host.includes(":") ? 6 : 4} DHT running`);
    return dht.nodeInfo(c);
  }

  async findValue(id: Id, minSeq = -1): Promise<Value | null> {
    const found = await Promise.all(this.dhts.map((d) => d.findValue(id, minSeq).then((r) => r.value)));
    return found.filter((v) => v !== null).sort((a, b) => b!.seq - a!.seq)[0] ?? null;
  }

  async storeValue(value: Value, opts: { cas?: number; persistent?: boolean } = {}): Promise<number> {
    const counts = await Promise.all(this.dhts.map((d) => d.storeValue(value, opts)));
    return counts.reduce((a, b) => a + b, 0);
  }

  async findPeers(peerId: Id, expected = 1): Promise<PeerRecord[]> {
    const lists = await Promise.all(this.dhts.map((d) => d.findPeers(peerId, expected).then((r) => r.peers)));
    const seen = new Map<string, PeerRecord>();
    for (const p of lists.flat()) seen.set(`${p.nodeId.toString()}:${p.origin.toString()}`, p);
    return [...seen.values()];
  }

  async announcePeer(peer: PeerRecord, opts: { persistent?: boolean } = {}): Promise<number> {
    const counts = await Promise.all(this.dhts.map((d) => d.announcePeer(peer, opts)));
    return counts.reduce((a, b) => a + b, 0);
  }
}
