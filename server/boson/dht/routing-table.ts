// The Kademlia routing table: K=8 entries per bucket plus a replacement cache of 8, buckets split
// when the one holding our own ID is full. An entry that stops answering is replaced by a fresh
// one from the cache; a known ID seen at another address is ignored until its entry times out.
import { getBit, Id } from "../id.ts";

export const K = 8;
/** Requests an entry may fail in a row before it is replaced (or dropped when stale). */
const MAX_FAILURES = 2;

export interface Contact {
  id: Id;
  host: string;
  port: number;
}

export interface Entry extends Contact {
  /** Answered one of our requests at least once. */
  verified: boolean;
  /** Remembered from the node's last run (it had answered then), not yet heard from in this one. */
  remembered?: boolean;
  lastSeen: number;
  failures: number;
}

export interface PersistedEntry {
  id: string;
  host: string;
  port: number;
}

class Bucket {
  entries: Entry[] = [];
  replacements: Entry[] = [];
  refreshedAt: number;
  constructor(
    readonly prefix: Id,
    readonly depth: number,
    now: number,
  ) {
    this.refreshedAt = now;
  }

  covers(id: Id): boolean {
    for (let bit = 0; bit < this.depth; bit++) if (getBit(id.bytes, bit) !== getBit(this.prefix.bytes, bit)) return false;
    return true;
  }
}

export class RoutingTable {
  private buckets: Bucket[];

  constructor(
    readonly localId: Id,
    private readonly now: () => number = Date.now,
  ) {
    this.buckets = [new Bucket(localId, 0, now())];
  }

  get size(): number {
    return this.buckets.reduce((n, b) => n + b.entries.length, 0);
  }

  get bucketCount(): number {
    return this.buckets.length;
  }

  private bucketOf(id: Id): Bucket {
    // Buckets are kept sorted by depth; the deepest covering bucket is the one (they do not overlap).
    for (let i = this.buckets.length - 1; i >= 0; i--) if (this.buckets[i]!.covers(id)) return this.buckets[i]!;
    return this.buckets[0]!;
  }

  get(id: Id): Entry | undefined {
    return this.bucketOf(id).entries.find((e) => e.id.equals(id));
  }

  /** Whether a new contact with this ID could take a place now (room, a split, or a failing entry to replace). */
  hasRoomFor(id: Id): boolean {
    const bucket = this.bucketOf(id);
    if (bucket.entries.length < K) return true;
    if (bucket.covers(this.localId) && bucket.depth < 255) return true;
    return bucket.entries.some((e) => e.failures >= MAX_FAILURES || !e.verified);
  }

  /**
   * Contacts remembered from the last run, placed as they were: buckets split for them as for
   * contacts that answer (else only the first K would fit), yet any contact that answers in this
   * run takes the place of one of them in a full bucket.
   */
  restore(contacts: Contact[]): void {
    for (const c of contacts) this.put(c, false, true);
  }

  /** Note a contact: `verified` when it answered our request, not when it only sent us one. */
  put(contact: Contact, verified: boolean, remembered = false): void {
    if (contact.id.equals(this.localId)) return;
    const bucket = this.bucketOf(contact.id);
    const now = this.now();
    const known = bucket.entries.find((e) => e.id.equals(contact.id));
    if (known) {
      if (known.host !== contact.host || known.port !== contact.port) return; // an ID at a new address waits for the old entry to fail
      known.lastSeen = now;
      known.failures = 0;
      known.verified ||= verified;
      return;
    }
    const entry: Entry = { ...contact, verified, lastSeen: now, failures: 0, ...(remembered ? { remembered } : {}) };
    if (bucket.entries.length < K) {
      bucket.entries.push(entry);
      return;
    }
    if ((verified || remembered) && bucket.covers(this.localId) && bucket.depth < 255) {
      this.split(bucket);
      this.put(contact, verified, remembered);
      return;
    }
    const failing = bucket.entries.findIndex((e) => e.failures >= MAX_FAILURES || (!e.verified && verified));
    if (failing >= 0) {
      bucket.entries[failing] = entry;
      return;
    }
    bucket.replacements = [...bucket.replacements.filter((e) => !e.id.equals(contact.id)), entry].slice(-K);
  }

  private split(bucket: Bucket): void {
    const depth = bucket.depth + 1;
    const same = new Bucket(this.localId, depth, bucket.refreshedAt);
    const other = new Bucket(Id.randomWithPrefix(this.localId, bucket.depth), depth, bucket.refreshedAt);
    for (const e of bucket.entries) (same.covers(e.id) ? same : other).entries.push(e);
    for (const e of bucket.replacements) (same.covers(e.id) ? same : other).replacements.push(e);
    this.buckets = [...this.buckets.filter((b) => b !== bucket), other, same].sort((a, b) => a.depth - b.depth);
  }

  /** A request to this contact went unanswered. After repeated failures it gives way to a replacement. */
  failed(id: Id): void {
    const bucket = this.bucketOf(id);
    const index = bucket.entries.findIndex((e) => e.id.equals(id));
    if (index < 0) return;
    const entry = bucket.entries[index]!;
    entry.failures++;
    if (entry.failures < MAX_FAILURES) return;
    const replacement = bucket.replacements.pop();
    if (replacement) bucket.entries[index] = replacement;
    else if (!entry.verified || entry.failures >= MAX_FAILURES * 2) bucket.entries.splice(index, 1);
  }

  remove(id: Id): void {
    const bucket = this.bucketOf(id);
    bucket.entries = bucket.entries.filter((e) => !e.id.equals(id));
  }

  /** The `n` known contacts closest to `target` (answering ones first among equals). */
  closest(target: Id, n = K): Entry[] {
    return this.all()
      .filter((e) => e.failures < MAX_FAILURES)
      .sort((a, b) => target.compareDistance(a.id, b.id))
      .slice(0, n);
  }

  all(): Entry[] {
    return this.buckets.flatMap((b) => b.entries);
  }

  randomEntry(): Entry | undefined {
    const all = this.all();
    return all[Math.floor(Math.random() * all.length)];
  }

  /** IDs to look up so every bucket not refreshed within `maxAgeMs` gets fresh contacts; marks them refreshed. */
  refreshTargets(maxAgeMs: number): Id[] {
    const now = this.now();
    const due = this.buckets.filter((b) => now - b.refreshedAt >= maxAgeMs);
    for (const b of due) b.refreshedAt = now;
    return due.map((b) => Id.randomInRange(b.prefix, b.depth));
  }

  /** A bucket heard from: it does not need a refresh yet. */
  touched(id: Id): void {
    this.bucketOf(id).refreshedAt = this.now();
  }

  export(): PersistedEntry[] {
    return this.all()
      .filter((e) => e.verified || e.remembered)
      .map((e) => ({ id: e.id.toString(), host: e.host, port: e.port }));
  }
}
