// Sliding-window rate limits kept in memory (a restart clears them, as it also rotates the setup code).
import ipaddr from "ipaddr.js";

/**
 * The key a client is limited by: its IPv4 address, or its IPv6 /64 (one home or host gets a whole
 * /64 and can rotate through it). Budgets are charged to whoever asks, never to the account asked
 * about, so no client can spend another's.
 */
export function clientKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const parsed = ipaddr.process(ip); // ::ffff:a.b.c.d → a.b.c.d
  if (parsed.kind() === "ipv4") return parsed.toString();
  return `${(parsed as ipaddr.IPv6).parts
    .slice(0, 4)
    .map((w) => w.toString(16))
    .join(":")}::/64`;
}

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `key` may try again, or 0 if it may now. Does not count a hit. */
  retryAfter(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.limit) return 0;
    return Math.max(1, Math.ceil((recent[0]! + this.windowMs - this.now()) / 1000));
  }

  hit(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.hits.set(key, recent);
    if (this.hits.size > 50_000) this.sweep();
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    return (this.hits.get(key) ?? []).filter((t) => t > cutoff);
  }

  /** Bound memory under a flood of distinct keys. */
  private sweep(): void {
    const cutoff = this.now() - this.windowMs;
    for (const [k, times] of this.hits) if (times.every((t) => t <= cutoff)) this.hits.delete(k);
  }
}
