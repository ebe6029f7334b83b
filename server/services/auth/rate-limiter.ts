// Sliding-window rate limits kept in memory (a restart clears them, as it also rotates the setup code).
import { clientKey } from "../../net/client-key.ts";

export { clientKey };

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
