// The reference node's anti-abuse rules: a per-IP packet throttle (32/s, bursts of 128), and a
// blacklist that bans an address for an hour after more than 30 bad packets within 20 minutes or
// after it used more than 30 node IDs, and bans an ID seen from more than 30 addresses. Memory is
// bounded: the oldest records are dropped first when a table is full.

export interface AbuseLimits {
  packetsPerSecond: number;
  burst: number;
  badPacketsAllowed: number;
  badPacketWindowMs: number;
  banMs: number;
  idsPerAddress: number;
  addressesPerId: number;
  maxTracked: number;
}

export const REFERENCE_ABUSE_LIMITS: AbuseLimits = {
  packetsPerSecond: 32,
  burst: 128,
  badPacketsAllowed: 30,
  badPacketWindowMs: 20 * 60_000,
  banMs: 60 * 60_000,
  idsPerAddress: 30,
  addressesPerId: 30,
  maxTracked: 16_384,
};

interface Bucket {
  tokens: number;
  at: number;
}

/** A Map that forgets its oldest entries beyond a size. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.max) this.delete(this.keys().next().value!);
    return super.set(key, value);
  }
}

export class AbuseGuard {
  private readonly buckets: BoundedMap<string, Bucket>;
  private readonly bad: BoundedMap<string, number[]>;
  private readonly banned: BoundedMap<string, number>;
  private readonly idsByAddress: BoundedMap<string, Set<string>>;
  private readonly addressesById: BoundedMap<string, Set<string>>;
  /** Packets refused by the throttle or the blacklist, for the status page. */
  dropped = 0;

  constructor(
    private readonly limits: AbuseLimits = REFERENCE_ABUSE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    const max = limits.maxTracked;
    this.buckets = new BoundedMap(max);
    this.bad = new BoundedMap(max);
    this.banned = new BoundedMap(max);
    this.idsByAddress = new BoundedMap(max);
    this.addressesById = new BoundedMap(max);
  }

  isBanned(key: string): boolean {
    const until = this.banned.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.banned.delete(key);
    return false;
  }

  /** Whether a packet from `host` may be processed at all (not banned, within its rate). */
  admit(host: string): boolean {
    if (this.isBanned(host)) {
      this.dropped++;
      return false;
    }
    const now = this.now();
    const b = this.buckets.get(host) ?? { tokens: this.limits.burst, at: now };
    b.tokens = Math.min(this.limits.burst, b.tokens + ((now - b.at) / 1000) * this.limits.packetsPerSecond);
    b.at = now;
    this.buckets.set(host, b);
    if (b.tokens < 1) {
      this.dropped++;
      return false;
    }
    b.tokens -= 1;
    return true;
  }

  /** A packet from `host` could not be decrypted or parsed. */
  badPacket(host: string): void {
    const now = this.now();
    const recent = (this.bad.get(host) ?? []).filter((t) => now - t < this.limits.badPacketWindowMs);
    recent.push(now);
    this.bad.set(host, recent);
    if (recent.length > this.limits.badPacketsAllowed) this.ban(host);
  }

  /** A well-formed packet from `host` claimed the node ID `id`: too many IDs on one address, or addresses for one ID, is a ban. */
  seen(host: string, id: string): void {
    const ids = this.idsByAddress.get(host) ?? new Set<string>();
    ids.add(id);
    this.idsByAddress.set(host, ids);
    if (ids.size > this.limits.idsPerAddress) this.ban(host);
    const hosts = this.addressesById.get(id) ?? new Set<string>();
    hosts.add(host);
    this.addressesById.set(id, hosts);
    if (hosts.size > this.limits.addressesPerId) this.ban(id);
  }

  private ban(key: string): void {
    this.banned.set(key, this.now() + this.limits.banMs);
    this.bad.delete(key);
    this.idsByAddress.delete(key);
    this.addressesById.delete(key);
  }
}
