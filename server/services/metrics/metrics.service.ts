// The node's Prometheus metrics (prom-client, its own registry): HTTP requests by route and status
// with latency histograms, and what services report as it happens (uploads and bytes, WASM runs
// and AI generations with their duration and outcome) or when scraped (WebSocket connections,
// terminal sessions, the WASM queue, IPFS pins and blocks, disk free), beside the process's own
// (resident memory, CPU, event-loop lag).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { EventBus } from "../../events.ts";

/** One answered HTTP request, as the listener saw it. */
export interface HttpObservation {
  method: string;
  /** The route's pattern ("/api/files/:id"), never the raw path: label values stay few. */
  route: string;
  status: number;
  seconds: number;
}

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const RUN_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export class MetricsService {
  private readonly registry = new Registry();
  private readonly requests: Counter<"method" | "route" | "status">;
  private readonly latency: Histogram<"method" | "route">;

  constructor(events: EventBus) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "pc2_" });
    // Three of prom-client's defaults are gauges named like counters (promtool's lint refuses them),
    // and Node's handle counts say little about Bun: left out.
    for (const name of ["active_handles_total", "active_requests_total", "active_resources_total"]) this.registry.removeSingleMetric(`pc2_nodejs_${name}`);
    this.requests = new Counter({ name: "pc2_http_requests_total", help: "HTTP requests answered, by method, route and status", labelNames: ["method", "route", "status"], registers });
    this.latency = new Histogram({
      name: "pc2_http_request_duration_seconds",
      help: "Time to answer an HTTP request (to its headers), by method and route",
      labelNames: ["method", "route"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const uploads = new Counter({ name: "pc2_files_written_total", help: "Files stored (uploads, WebDAV PUTs, saved outputs)", registers });
    const uploadBytes = new Counter({ name: "pc2_files_written_bytes_total", help: "Bytes of the files stored", registers });
    events.on("files.written", ({ bytes }) => {
      uploads.inc();
      uploadBytes.inc(bytes);
    });
    const wasmRuns = new Counter({ name: "pc2_wasm_runs_total", help: "WASM runs finished, by outcome (ok, error, or why it was killed)", labelNames: ["outcome"], registers });
    const wasmSeconds = new Histogram({ name: "pc2_wasm_run_duration_seconds", help: "WASM run time", buckets: RUN_BUCKETS, registers });
    events.on("wasm.finished", ({ ms, outcome }) => {
      wasmRuns.inc({ outcome });
      wasmSeconds.observe(ms / 1000);
    });
    const aiRuns = new Counter({ name: "pc2_ai_generations_total", help: "AI generations finished, by provider and outcome", labelNames: ["provider", "outcome"], registers });
    const aiSeconds = new Histogram({ name: "pc2_ai_generation_duration_seconds", help: "AI generation time", labelNames: ["provider"], buckets: RUN_BUCKETS, registers });
    events.on("ai.finished", ({ provider, ms, outcome }) => {
      aiRuns.inc({ provider, outcome });
      aiSeconds.observe({ provider }, ms / 1000);
    });
  }

  /** A value read when Prometheus scrapes (a count of something, the disk's free bytes). */
  gauge(name: string, help: string, read: () => number | Promise<number>): void {
    new Gauge({
      name: `pc2_${name}`,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await read());
      },
    });
  }

  httpRequest(o: HttpObservation): void {
    this.requests.inc({ method: o.method, route: o.route, status: String(o.status) });
    this.latency.observe({ method: o.method, route: o.route }, o.seconds);
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
