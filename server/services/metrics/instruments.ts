// The metrics themselves, in prom-client: loaded by metrics.service.ts at the first scrape (or once 10,000 observations wait).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

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

export type Instruments = ReturnType<typeof createInstruments>;

export function createInstruments() {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: "pc2_" });
  // Three of prom-client's defaults are gauges named like counters (promtool's lint refuses them),
  // and Node's handle counts say little about Bun: left out.
  for (const name of ["active_handles_total", "active_requests_total", "active_resources_total"]) registry.removeSingleMetric(`pc2_nodejs_${name}`);
  const requests = new Counter({ name: "pc2_http_requests_total", help: "HTTP requests answered, by method, route and status", labelNames: ["method", "route", "status"], registers });
  const latency = new Histogram({
    name: "pc2_http_request_duration_seconds",
    help: "Time to answer an HTTP request (to its headers), by method and route",
    labelNames: ["method", "route"],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const uploads = new Counter({ name: "pc2_files_written_total", help: "Files stored (uploads, WebDAV PUTs, saved outputs)", registers });
  const uploadBytes = new Counter({ name: "pc2_files_written_bytes_total", help: "Bytes of the files stored", registers });
  const wasmRuns = new Counter({ name: "pc2_wasm_runs_total", help: "WASM runs finished, by outcome (ok, error, or why it was killed)", labelNames: ["outcome"], registers });
  const wasmSeconds = new Histogram({ name: "pc2_wasm_run_duration_seconds", help: "WASM run time", buckets: RUN_BUCKETS, registers });
  const aiRuns = new Counter({ name: "pc2_ai_generations_total", help: "AI generations finished, by provider and outcome", labelNames: ["provider", "outcome"], registers });
  const aiSeconds = new Histogram({ name: "pc2_ai_generation_duration_seconds", help: "AI generation time", labelNames: ["provider"], buckets: RUN_BUCKETS, registers });

  return {
    httpRequest(o: HttpObservation): void {
      requests.inc({ method: o.method, route: o.route, status: String(o.status) });
      latency.observe({ method: o.method, route: o.route }, o.seconds);
    },
    fileWritten(bytes: number): void {
      uploads.inc();
      uploadBytes.inc(bytes);
    },
    wasmFinished(ms: number, outcome: string): void {
      wasmRuns.inc({ outcome });
      wasmSeconds.observe(ms / 1000);
    },
    aiFinished(provider: string, ms: number, outcome: string): void {
      aiRuns.inc({ provider, outcome });
      aiSeconds.observe({ provider }, ms / 1000);
    },
    /** A value read when Prometheus scrapes. */
    gauge(name: string, help: string, read: () => number | Promise<number>): void {
      new Gauge({
        name: `pc2_${name}`,
        help,
        registers,
        async collect() {
          this.set(await read());
        },
      });
    },
    async scrape(): Promise<{ text: string; contentType: string }> {
      return { text: await registry.metrics(), contentType: registry.contentType };
    },
  };
}
