// Values and peer announcements this node keeps for the network, with the v2 rules: signatures
// checked, sequence numbers only go up, a mutable value is never replaced by an immutable one, a
// compare-and-swap must match; everything expires 120 minutes after its last store. Bounded: when
// full, the record closest to expiry makes room (an ordinary node keeps few; a super node many).
import type { Id } from "../id.ts";
import { ERROR, type PeerRecord, type Value } from "../v2/messages.ts";
import { peerIsValid, valueId, valueIsValid } from "../v2/records.ts";

export const RECORD_TTL_MS = 120 * 60_000;
/** Peers kept per peer ID (the most a FIND_PEER answer carries). */
export const PEERS_PER_ID = 8;

export class StoreRefused extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface Stored<T> {
  record: T;
  storedAt: number;
}

const key = (id: Id) => Buffer.from(id.bytes).toString("hex");

export class RecordStore {
  private readonly values = new Map<string, Stored<Value>>();
  private readonly peers = new Map<string, Map<string, Stored<PeerRecord>>>();
  private peerCount = 0;

  constructor(
    private readonly maxRecords: number,
    private readonly now: () => number = Date.now,
  ) {}

  get valueCount(): number {
    return this.values.size;
  }
  get peerRecordCount(): number {
    return this.peerCount;
  }

  private fresh(s: Stored<unknown> | undefined): boolean {
    return s !== undefined && this.now() - s.storedAt < RECORD_TTL_MS;
  }

  /** The value stored under `id` if it is fresh and its seq is at least `minSeq` (a negative minSeq takes any). */
  getValue(id: Id, minSeq = -1): Value | null {
    const s = this.values.get(key(id));
    if (!this.fresh(s)) return null;
    const v = s!.record;
    if (minSeq >= 0 && v.publicKey && v.seq < minSeq) return null;
    return v;
  }

  /** Store a value under the v2 rules, or throw StoreRefused with the reference's error code. */
  putValue(v: Value, cas = -1): Id {
    if (!valueIsValid(v)) throw new StoreRefused(ERROR.protocol, "invalid value");
    const id = valueId(v);
    const k = key(id);
    const old = this.fresh(this.values.get(k)) ? this.values.get(k)!.record : null;
    if (old) {
      if (old.publicKey && !v.publicKey) throw new StoreRefused(ERROR.immutableSubstitution, "a mutable value cannot become immutable");
      if (old.publicKey && v.publicKey) {
        if (cas >= 0 && old.seq !== cas) throw new StoreRefused(ERROR.casFail, "compare-and-swap failed");
        if (v.seq < old.seq) throw new StoreRefused(ERROR.sequenceNotMonotonic, "sequence number is lower than the stored one");
      }
    }
    this.values.delete(k);
    if (!old) this.makeRoom();
    this.values.set(k, { record: v, storedAt: this.now() });
    return id;
  }

  /** Peers announced for a peer ID (fresh, at most PEERS_PER_ID). */
  getPeers(peerId: Id): PeerRecord[] {
    const byNode = this.peers.get(key(peerId));
    if (!byNode) return [];
    return [...byNode.values()].filter((s) => this.fresh(s)).map((s) => s.record);
  }

  /** Keep a peer announcement (the reference stores without checking; we check the peer key's signature). */
  putPeer(p: PeerRecord): void {
    if (!peerIsValid(p)) throw new StoreRefused(ERROR.invalidSignature, "invalid peer signature");
    const k = key(p.peerId);
    let byNode = this.peers.get(k);
    if (!byNode) {
      byNode = new Map();
      this.peers.set(k, byNode);
    }
    const slot = `${key(p.nodeId)}:${key(p.origin)}`;
    if (!byNode.has(slot)) {
      if (byNode.size >= PEERS_PER_ID) {
        const oldest = [...byNode.entries()].sort((a, b) => a[1].storedAt - b[1].storedAt)[0]!;
        byNode.delete(oldest[0]);
        this.peerCount--;
      }
      this.makeRoom();
      this.peerCount++;
    }
    byNode.set(slot, { record: p, storedAt: this.now() });
  }

  /** Drop expired records; if still full, the oldest value or peer set gives way. */
  private makeRoom(): void {
    if (this.values.size + this.peerCount < this.maxRecords) return;
    this.expire();
    while (this.values.size + this.peerCount >= this.maxRecords) {
      const oldestValue = this.values.keys().next().value;
      if (oldestValue !== undefined && (this.values.size >= this.peerCount || this.peers.size === 0)) this.values.delete(oldestValue);
      else {
        const [peerKey, byNode] = this.peers.entries().next().value!;
        this.peerCount -= byNode.size;
        this.peers.delete(peerKey);
      }
    }
  }

  expire(): void {
    for (const [k, s] of this.values) if (!this.fresh(s)) this.values.delete(k);
    for (const [k, byNode] of this.peers) {
      for (const [slot, s] of byNode)
        if (!this.fresh(s)) {
          byNode.delete(slot);
          this.peerCount--;
        }
      if (byNode.size === 0) this.peers.delete(k);
    }
  }
}
