// The node's Prometheus metrics (prom-client, its own registry): HTTP requests by route and status
// with latency histograms, and what services report as it happens (uploads and bytes, WASM runs
// and AI generations with their duration and outcome) or when scraped (WebSocket connections,
// terminal sessions, the WASM queue, IPFS pins and blocks, disk free), beside the process's own
// (resident memory, CPU, event-loop lag).
//
// prom-client is loaded by the first scrape, not at start: it took a tenth of a restart's time (its
// module and the default metrics' set-up) and ~6 MiB of a node that nobody scrapes. Until then, what
// happens is kept in order and counted once it is loaded (instruments.ts), so a scrape misses
// nothing; past MAX_WAITING observations it is loaded at once, so the wait stays small.
import type { EventBus } from "../../events.ts";
import type { HttpObservation, Instruments } from "./instruments.ts";

export type { HttpObservation } from "./instruments.ts";

/** Observations kept before the first scrape; the last of them loads prom-client at once. */
const MAX_WAITING = 10_000;

type Observation = (m: Instruments) => void;

export class MetricsService {
  private instruments: Instruments | null = null;
  private loading: Promise<Instruments> | null = null;
  private waiting: Observation[] = [];

  constructor(events: EventBus) {
    events.on("files.written", ({ bytes }) => this.record((m) => m.fileWritten(bytes)));
    events.on("wasm.finished", ({ ms, outcome }) => this.record((m) => m.wasmFinished(ms, outcome)));
    events.on("ai.finished", ({ provider, ms, outcome }) => this.record((m) => m.aiFinished(provider, ms, outcome)));
  }

  /** A value read when Prometheus scrapes (a count of something, the disk's free bytes). */
  gauge(name: string, help: string, read: () => number | Promise<number>): void {
    this.record((m) => m.gauge(name, help, read));
  }

  httpRequest(o: HttpObservation): void {
    this.record((m) => m.httpRequest(o));
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    return (await this.load()).scrape();
  }

  /** Whether prom-client is loaded (for tests). */
  loaded(): boolean {
    return this.instruments !== null;
  }

  /** prom-client loaded and everything recorded so far counted; at most once. */
  load(): Promise<Instruments> {
    this.loading ??= import("./instruments.ts").then(({ createInstruments }) => {
      const m = createInstruments();
      for (const observe of this.waiting) observe(m);
      this.waiting = [];
      this.instruments = m;
      return m;
    });
    return this.loading;
  }

  private record(observe: Observation): void {
    if (this.instruments) return observe(this.instruments);
    this.waiting.push(observe);
    if (this.waiting.length >= MAX_WAITING) void this.load();
  }
}
