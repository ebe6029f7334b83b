// What the node keeps about each function's running: the last log lines (console.*, uncaught
// errors, why a process was stopped), sent live to the deployer's sockets, and requests, errors and
// recent latencies. Lines and counts are written to the database in batches (function-log-store.ts)
// and outlive a restart; latencies are the process's own.
import type { LogLevel } from "../../../workers/function-protocol.ts";
import type { EventBus } from "../../events.ts";
import type { Logger } from "../../log.ts";
import type { FunctionLogStore, StoredCounts } from "./function-log-store.ts";

export const MAX_LOG_ENTRIES = 1000;
/** A line longer than this is cut (the function's host cuts at 8 KiB; a line that did not pass through it is cut here). */
export const MAX_LOG_CHARS = 8 * 1024;
/** Latencies kept per function for its percentiles. */
const RECENT = 1000;
/** New lines and counts are written at most this often. */
const WRITE_EVERY_MS = 500;

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
  /** Each function's last lines, read from the store the first time they are needed. */
  private readonly logs = new Map<string, LogEntry[]>();
  private readonly counts = new Map<string, Counts>();
  /** Lines and counts not yet written. */
  private readonly unwrittenLines = new Map<string, LogEntry[]>();
  private readonly unwrittenCounts = new Set<string>();
  private writeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly events: EventBus,
    private readonly store: FunctionLogStore,
    private readonly logger: Pick<Logger, "warn">,
    private readonly writeEveryMs = WRITE_EVERY_MS,
  ) {}

  log(fn: { id: string; owner: string; name: string }, entry: LogEntry): void {
    if (entry.message.length > MAX_LOG_CHARS) entry = { ...entry, message: `${entry.message.slice(0, MAX_LOG_CHARS)}… (${entry.message.length} characters)` };
    const list = this.linesOf(fn.id);
    list.push(entry);
    if (list.length > MAX_LOG_ENTRIES) list.splice(0, list.length - MAX_LOG_ENTRIES);
    const unwritten = this.unwrittenLines.get(fn.id) ?? [];
    unwritten.push(entry);
    if (unwritten.length > MAX_LOG_ENTRIES) unwritten.splice(0, unwritten.length - MAX_LOG_ENTRIES);
    this.unwrittenLines.set(fn.id, unwritten);
    this.writeSoon();
    this.events.emit("functions.log", { owner: fn.owner, name: fn.name, ...entry });
  }

  logsOf(functionId: string): LogEntry[] {
    return [...this.linesOf(functionId)];
  }

  count(functionId: string, ms: number, status: number): void {
    const c = this.countsOf(functionId);
    c.requests++;
    if (status >= 500) c.errors++;
    c.recent.push(ms);
    if (c.recent.length > RECENT) c.recent.shift();
    this.unwrittenCounts.add(functionId);
    this.writeSoon();
  }

  metricsOf(functionId: string): MetricsSummary {
    const c = this.countsOf(functionId);
    if (c.recent.length === 0) return { requests: c.requests, errors: c.errors, p50Ms: null, p99Ms: null };
    const sorted = [...c.recent].sort((a, b) => a - b);
    const at = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! * 100) / 100;
    return { requests: c.requests, errors: c.errors, p50Ms: at(50), p99Ms: at(99) };
  }

  forget(functionId: string): void {
    this.logs.delete(functionId);
    this.counts.delete(functionId);
    this.unwrittenLines.delete(functionId);
    this.unwrittenCounts.delete(functionId);
    this.store.forget(functionId);
  }

  /** Write what is not written yet (the node stopping calls it; a timer does otherwise). */
  write(): void {
    if (this.writeTimer) clearTimeout(this.writeTimer), (this.writeTimer = null);
    if (this.unwrittenLines.size === 0 && this.unwrittenCounts.size === 0) return;
    const counts = new Map<string, StoredCounts>();
    for (const id of this.unwrittenCounts) {
      const c = this.counts.get(id);
      if (c) counts.set(id, { requests: c.requests, errors: c.errors });
    }
    const lines = new Map(this.unwrittenLines);
    this.unwrittenLines.clear();
    this.unwrittenCounts.clear();
    this.store.write(lines, counts);
  }

  private writeSoon(): void {
    if (this.writeTimer) return;
    this.writeTimer = setTimeout(() => {
      this.writeTimer = null;
      try {
        this.write();
      } catch (err) {
        // The database refused (a full disk): these lines stay in memory only.
        this.logger.warn("function logs could not be written", { err });
      }
    }, this.writeEveryMs);
    this.writeTimer.unref();
  }

  private linesOf(functionId: string): LogEntry[] {
    let list = this.logs.get(functionId);
    if (!list) this.logs.set(functionId, (list = this.store.lines(functionId)));
    return list;
  }

  private countsOf(functionId: string): Counts {
    let c = this.counts.get(functionId);
    if (!c) this.counts.set(functionId, (c = { ...this.store.counts(functionId), recent: [] }));
    return c;
  }
}
