// The running side of functions: each function's current deployment in one sandboxed process
// (function-process.ts), started on its first request (or at deploy), replaced when the deployment
// or its settings change, stopped after IDLE_MS without requests or open sockets; and what those
// processes reach through the node — outbound fetches under the function's allowed hosts, and its
// key-value store.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fail } from "../../errors.ts";
import type { OutboundFetch, Reach } from "../../net/outbound-fetch.ts";
import type { KeyVault } from "../ai/key-vault.ts";
import { hostAllowed } from "./allowed-hosts.ts";
import { FunctionKv } from "./function-kv.ts";
import { effectiveLimits } from "./function-limits.ts";
import { FunctionProcess, type FunctionLimits } from "./function-process.ts";
import type { FunctionTelemetry } from "./function-telemetry.ts";
import type { FunctionRow, FunctionsRepository } from "./functions.repository.ts";
import { runKvOperation } from "./kv-operations.ts";
import { bwrapPath } from "./sandbox-command.ts";

/** A function's process is stopped after this long without a request (memory back to the node). */
export const IDLE_MS = 10 * 60_000;
const IDLE_CHECK_MS = 60_000;

const HOP_BY_HOP = ["host", "connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "content-length"];

export interface PoolDeps {
  repo: FunctionsRepository;
  vault: KeyVault;
  dataDir: string;
  limits: FunctionLimits;
  telemetry: FunctionTelemetry;
  /** Outbound requests on a function's behalf: the internet only, or also the LAN (the Owner's choice). */
  outbound: (reach: Reach) => OutboundFetch;
}

interface Running {
  deployment: string;
  process: FunctionProcess;
}

export class FunctionPool {
  private idleTimer: ReturnType<typeof setInterval> | null = null;
  private readonly running = new Map<string, Running>();
  /** Each function's key-value store, opened on first use. */
  private readonly stores = new Map<string, FunctionKv>();

  constructor(private readonly deps: PoolDeps) {}

  start(): void {
    // A process nobody has called for IDLE_MS is stopped; the next request starts another.
    this.idleTimer = setInterval(() => {
      for (const [id, r] of this.running) if (r.process.idleFor() > IDLE_MS) this.retire(id);
    }, IDLE_CHECK_MS);
    this.idleTimer.unref?.();
  }

  /** Stop every process, each given the chance to write out its last log lines. */
  async stop(): Promise<void> {
    if (this.idleTimer) clearInterval(this.idleTimer);
    const stopping = [...this.running.values()].map((r) => r.process.stop());
    this.running.clear();
    await Promise.all(stopping);
    for (const kv of this.stores.values()) kv.close();
    this.stores.clear();
  }

  /** The functions with a running process or an open key-value store. */
  functionIds(): string[] {
    return [...new Set([...this.running.keys(), ...this.stores.keys()])];
  }

  /** Where a deployment's bundle is kept. */
  dir(fn: { id: string }, deployment: string): string {
    return join(this.deps.dataDir, "functions", fn.id, deployment);
  }

  /** Stop the function's process (if any): the next request starts one with the current settings. */
  retire(functionId: string): void {
    void this.running.get(functionId)?.process.stop();
    this.running.delete(functionId);
  }

  /** The function is being deleted: its process and its store are closed. */
  forget(functionId: string): void {
    this.retire(functionId);
    this.stores.get(functionId)?.close();
    this.stores.delete(functionId);
  }

  /** The deployment's running process, started if need be (resolves once it serves). */
  async processFor(fn: FunctionRow, deployment: string): Promise<FunctionProcess> {
    const current = this.running.get(fn.id);
    if (current?.deployment === deployment && current.process.alive) {
      // Requests that come while it starts wait for it to serve, as the first one does.
      await current.process.ready;
      return current.process;
    }
    if (current) this.retire(fn.id);
    const { repo, vault, telemetry, limits } = this.deps;
    const env = Object.fromEntries(repo.sealedSecrets(fn.id).map((s) => [s.name, vault.open(s.sealed, `function-secret:${fn.id}:${s.name}`)]));
    const process = new FunctionProcess({
      bwrap: bwrapPath()!,
      deploymentDir: this.dir(fn, deployment),
      env,
      limits: effectiveLimits(limits, fn.limits),
      egress: (target, request) => this.egress(fn, target, request),
      kv: (op) => runKvOperation(this.kvOf(fn), op),
      onLog: (level, message) => telemetry.log(fn, { at: Date.now(), level, message, deployment }),
      onExit: (reason) => {
        if (reason) telemetry.log(fn, { at: Date.now(), level: "error", message: `The process was stopped: ${reason}`, deployment });
        if (this.running.get(fn.id)?.process === process) this.running.delete(fn.id);
      },
    });
    this.running.set(fn.id, { deployment, process });
    await process.ready;
    return process;
  }

  private kvOf(fn: { id: string }): FunctionKv {
    let kv = this.stores.get(fn.id);
    if (!kv) {
      const dir = join(this.deps.dataDir, "functions", fn.id);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      kv = new FunctionKv(join(dir, "kv.sqlite"));
      // Expired entries are never read; their rows go when the store is opened.
      kv.sweep();
      this.stores.set(fn.id, kv);
    }
    return kv;
  }

  private async egress(fn: FunctionRow, target: string, request: Request): Promise<Response> {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw fail("invalid_request", `Not a URL: ${target.slice(0, 200)}`);
    }
    if (!hostAllowed(fn.allowed_hosts, url)) throw fail("host_not_allowed", `${fn.name} may not connect to ${url.host}; its deployer can allow it (allowed hosts)`);
    const headers = new Headers(request.headers);
    for (const h of HOP_BY_HOP) headers.delete(h);
    return this.deps.outbound(fn.allow_lan ? "lan" : "public")(url, { method: request.method, headers, body: request.body, duplex: "half" } as RequestInit);
  }
}
