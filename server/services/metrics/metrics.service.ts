// The node's Prometheus metrics (prom-client, its own registry): HTTP requests by route and status
// with latency histograms, and what services report as it happens (uploads and bytes, WASM runs
// and AI generations with their duration and outcome) or when scraped (WebSocket connections,
// terminal sessions, the WASM queue, IPFS pins and blocks, disk free), beside the process's own
// (resident memory, CPU, event-loop lag).
//
// prom-client loads after start-up, not before the first request: it took a tenth of a restart's
// time (its module and the default metrics' set-up). Until it is loaded, what happens is kept in
// order and counted once it is (instruments.ts), so a scrape never misses anything.
import type { EventBus } from "../../events.ts";
import type { HttpObservation, Instruments } from "./instruments.ts";

export type { HttpObservation } from "./instruments.ts";

/** How long after start prom-client is loaded unless a scrape asks first. */
const LOAD_AFTER_MS = 2000;
/** Observations kept while it loads; one more loads it at once. */
const MAX_WAITING = 10_000;

type Observation = (m: Instruments) => void;

export class MetricsService {
  private instruments: Instruments | null = null;
  private loading: Promise<Instruments> | null = null;
  private waiting: Observation[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(events: EventBus) {
    events.on("files.written", ({ bytes }) => this.record((m) => m.fileWritten(bytes)));
    events.on("wasm.finished", ({ ms, outcome }) => this.record((m) => m.wasmFinished(ms, outcome)));
    events.on("ai.finished", ({ provider, ms, outcome }) => this.record((m) => m.aiFinished(provider, ms, outcome)));
  }

  /** Loads prom-client a little after start-up (off the first requests' path). */
  start(): void {
    this.timer = setTimeout(() => void this.load(), LOAD_AFTER_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
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
      this.stop();
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
