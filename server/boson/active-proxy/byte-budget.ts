// A token bucket of bytes per second: how long a relay must pause after moving `bytes` so a node
// stays within its bandwidth. One second's worth may pass at once (the burst).
export class ByteBudget {
  private tokens: number;
  private last: number;

  constructor(
    readonly bytesPerSecond: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.tokens = bytesPerSecond;
    this.last = now();
  }

  /** Spend `bytes`; the milliseconds to wait before moving more (0: go on). */
  take(bytes: number): number {
    const now = this.now();
    this.tokens = Math.min(this.bytesPerSecond, this.tokens + ((now - this.last) * this.bytesPerSecond) / 1000);
    this.last = now;
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.bytesPerSecond);
  }
}
