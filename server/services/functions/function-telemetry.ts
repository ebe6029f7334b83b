// What the node keeps about each function's running since it started: the last log lines
// (console.*, uncaught errors, why a process was stopped), sent live to the deployer's sockets, and
// requests, errors and recent latencies.
import type { LogLevel } from "../../../workers/function-protocol.ts";
import type { EventBus } from "../../events.ts";

export const MAX_LOG_ENTRIES = 1000;
/** Latencies kept per function for its percentiles. */
const RECENT = 1000;

export interface LogEntry {
  at: number;
  level: LogLevel;
  message: string;
  deployment: string;
}

export interface MetricsSummary {
  requests: number;
  /** Answers of 500 and above, the function's own or the node's (a crash, a timeout, refused). */
  errors: number;
  /** Latency to the response's headers over the last 1,000 requests, in ms. */
  p50Ms: number | null;
  p99Ms: number | null;
}

interface Counts {
  requests: number;
  errors: number;
  recent: number[];
}

export class FunctionTelemetry {
  private readonly logs = new Map<string, LogEntry[]>();
  private readonly counts = new Map<string, Counts>();

  constructor(private readonly events: EventBus) {}

  log(fn: { id: string; owner: string; name: string }, entry: LogEntry): void {
    const list = this.logs.get(fn.id) ?? [];
    list.push(entry);
    if (list.length > MAX_LOG_ENTRIES) list.splice(0, list.length - MAX_LOG_ENTRIES);
    this.logs.set(fn.id, list);
    this.events.emit("functions.log", { owner: fn.owner, name: fn.name, ...entry });
  }

  logsOf(functionId: string): LogEntry[] {
    return this.logs.get(functionId) ?? [];
  }

  count(functionId: string, ms: number, status: number): void {
    let c = this.counts.get(functionId);
    if (!c) this.counts.set(functionId, (c = { requests: 0, errors: 0, recent: [] }));
    c.requests++;
    if (status >= 500) c.errors++;
    c.recent.push(ms);
    if (c.recent.length > RECENT) c.recent.shift();
  }

  metricsOf(functionId: string): MetricsSummary {
    const c = this.counts.get(functionId);
    if (!c || c.recent.length === 0) return { requests: c?.requests ?? 0, errors: c?.errors ?? 0, p50Ms: null, p99Ms: null };
    const sorted = [...c.recent].sort((a, b) => a - b);
    const at = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! * 100) / 100;
    return { requests: c.requests, errors: c.errors, p50Ms: at(50), p99Ms: at(99) };
  }

  forget(functionId: string): void {
    this.logs.delete(functionId);
    this.counts.delete(functionId);
  }
}
