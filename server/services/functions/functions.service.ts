// Edge functions: deploy (bundle, store by content hash, make current), roll back, settings,
// secrets, logs, and invoke — each function's current deployment runs in one sandboxed process,
// started on its first request (or at deploy) and replaced when the deployment changes.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { LogLevel } from "../../../workers/function-protocol.ts";
import { AppError, fail } from "../../errors.ts";
import { writeFileAtomic } from "../../fs/atomic-write.ts";
import type { Logger } from "../../log.ts";
import type { EventBus } from "../../events.ts";
import type { OutboundFetch, Reach } from "../../net/outbound-fetch.ts";
import type { Role } from "../../principal.ts";
import type { KeyVault } from "../ai/key-vault.ts";
import { bundleFunction, type SourceFile } from "./function-bundler.ts";
import { FunctionProcess, type FunctionLimits } from "./function-process.ts";
import { hostAllowed } from "./allowed-hosts.ts";
import { FunctionKv } from "./function-kv.ts";
import { runKvOperation } from "./kv-operations.ts";
import type { DeploymentRow, FunctionRow, FunctionsRepository, Visibility } from "./functions.repository.ts";
import { bwrapPath, probeSandbox } from "./sandbox-command.ts";

export const FUNCTION_LIMITS: FunctionLimits = {
  wallMs: 30_000,
  memoryBytes: 128 * 1024 * 1024,
  concurrency: 16,
  bodyBytes: 16 * 1024 * 1024,
  stallMs: 2_000,
  startMs: 10_000,
};
export const MAX_LOG_ENTRIES = 1000;
/** A function's process is stopped after this long without a request (memory back to the node). */
export const IDLE_MS = 10 * 60_000;
const IDLE_CHECK_MS = 60_000;

export interface LogEntry {
  at: number;
  level: LogLevel;
  message: string;
  deployment: string;
}

export interface FunctionDetails {
  name: string;
  owner: string;
  url: string;
  visibility: Visibility;
  disabled: boolean;
  allowedHosts: string[];
  allowLan: boolean;
  current: string | null;
  deployments: DeploymentRow[];
  secrets: string[];
  /** Since the node started: requests, errors (500 and above), and latency to the response's headers over the last 1,000 requests. */
  metrics: { requests: number; errors: number; p50Ms: number | null; p99Ms: number | null };
  createdAt: number;
  updatedAt: number;
}

export interface FunctionMetrics {
  requests: number;
  /** Answers of 500 and above, the function's own or the node's (a crash, a timeout, refused). */
  errors: number;
  /** The last RECENT latencies (request to response headers), in ms. */
  recent: number[];
}
const RECENT = 1000;

export interface FunctionsDeps {
  repo: FunctionsRepository;
  vault: KeyVault;
  dataDir: string;
  log: Logger;
  /** Outbound requests on a function's behalf: the internet only, or also the LAN (the Owner's choice). */
  outbound: (reach: Reach) => OutboundFetch;
  /** Where log lines go live (the deployer's sockets, through reactions.ts). */
  events: EventBus;
  /** A folder of the deployer's own storage, as a function's files (stored-folder.ts). */
  readFolder: (owner: string, folder: string) => Promise<SourceFile[]>;
  limits?: FunctionLimits;
}

interface Running {
  deployment: string;
  process: FunctionProcess;
}

const HOP_BY_HOP = ["host", "connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "content-length"];

export class FunctionsService {
  /** Whether bubblewrap can make a sandbox here: asked once, when functions are first used. */
  private sandboxCheck: Promise<{ ok: true } | { ok: false; reason: string }> | null = null;
  private idleTimer: ReturnType<typeof setInterval> | null = null;
  private readonly running = new Map<string, Running>();
  private readonly logs = new Map<string, LogEntry[]>();
  /** Each function's requests since the node started: counts and recent latencies. */
  private readonly metrics = new Map<string, FunctionMetrics>();
  /** Each function's key-value store, opened on first use. */
  private readonly stores = new Map<string, FunctionKv>();
  private readonly limits: FunctionLimits;

  constructor(private readonly deps: FunctionsDeps) {
    this.limits = deps.limits ?? FUNCTION_LIMITS;
  }

  start(): void {
    // A process nobody has called for IDLE_MS is stopped; the next request starts another.
    this.idleTimer = setInterval(() => {
      for (const [id, r] of this.running) if (r.process.idleFor() > IDLE_MS) this.retire(id);
    }, IDLE_CHECK_MS);
    this.idleTimer.unref?.();
  }

  private sandbox(): Promise<{ ok: true } | { ok: false; reason: string }> {
    this.sandboxCheck ??= probeSandbox().then((result) => {
      if (!result.ok) this.deps.log.warn("functions cannot run on this node", { reason: result.reason });
      return result;
    });
    return this.sandboxCheck;
  }

  stop(): void {
    if (this.idleTimer) clearInterval(this.idleTimer);
    for (const r of this.running.values()) r.process.stop();
    this.running.clear();
    for (const kv of this.stores.values()) kv.close();
    this.stores.clear();
  }

  async status(): Promise<{ available: boolean; reason: string | null }> {
    const sandbox = await this.sandbox();
    return { available: sandbox.ok, reason: sandbox.ok ? null : sandbox.reason };
  }

  private dir(fn: { id: string }, deployment: string): string {
    return join(this.deps.dataDir, "functions", fn.id, deployment);
  }

  private found(owner: string, name: string): FunctionRow {
    const fn = this.deps.repo.find(owner, name);
    if (!fn) throw fail("function_not_found", `No function named ${name}`);
    return fn;
  }

  details(fn: FunctionRow): FunctionDetails {
    return {
      name: fn.name,
      owner: fn.owner,
      url: `/fn/${fn.owner}/${fn.name}/`,
      visibility: fn.visibility,
      disabled: fn.disabled,
      allowedHosts: fn.allowed_hosts,
      allowLan: fn.allow_lan,
      current: fn.current_deployment,
      deployments: this.deps.repo.deployments(fn.id),
      secrets: this.deps.repo.secretNames(fn.id),
      metrics: this.metricsOf(fn.id),
      createdAt: fn.created_at,
      updatedAt: fn.updated_at,
    };
  }

  list(owner: string): FunctionDetails[] {
    return this.deps.repo.list(owner).map((f) => this.details(f));
  }

  get(owner: string, name: string): FunctionDetails {
    return this.details(this.found(owner, name));
  }

  /** Build and store a deployment and make it current (creating the function the first time). */
  async deploy(
    owner: string,
    input: { name: string; files?: SourceFile[]; folder?: string; entry?: string; visibility?: Visibility; allowedHosts?: string[] },
  ): Promise<FunctionDetails & { startError: string | null }> {
    const files = input.files ?? (await this.deps.readFolder(owner, input.folder ?? ""));
    const bundle = await bundleFunction(files, input.entry);
    const existing = this.deps.repo.find(owner, input.name);
    const id = existing?.id ?? crypto.randomUUID();
    const dir = this.dir({ id }, bundle.id);
    if (!existsSync(join(dir, "bundle.js"))) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileAtomic(join(dir, "bundle.js"), bundle.code, 0o600);
    }
    const fn = this.deps.repo.deploy(
      { id, owner, name: input.name, visibility: input.visibility ?? "private", allowedHosts: input.allowedHosts ?? [] },
      { id: bundle.id, entry: bundle.entry, size: Buffer.byteLength(bundle.code), created_at: Date.now() },
    );
    if (existing && (input.visibility || input.allowedHosts)) this.deps.repo.update(fn.id, { visibility: input.visibility, allowedHosts: input.allowedHosts });
    this.retire(fn.id);
    return { ...this.get(owner, input.name), startError: await this.warm(fn) };
  }

  /**
   * Start the current deployment's process now, so that its first request finds it serving; a
   * module that fails to start is still deployed, and the deployer hears why (null: it started).
   */
  private async warm(fn: FunctionRow): Promise<string | null> {
    if (!(await this.sandbox()).ok || fn.disabled || !fn.current_deployment) return null;
    try {
      await this.processFor(fn, fn.current_deployment);
      return null;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  rollback(owner: string, name: string, deployment: string): FunctionDetails {
    const fn = this.found(owner, name);
    if (!this.deps.repo.deployments(fn.id).some((d) => d.id === deployment)) throw fail("deployment_not_found", `${name} has no deployment ${deployment}`);
    this.deps.repo.setCurrent(fn.id, deployment);
    this.retire(fn.id);
    return this.get(owner, name);
  }

  update(owner: string, name: string, change: { visibility?: Visibility; disabled?: boolean; allowedHosts?: string[]; allowLan?: boolean }, role: Role): FunctionDetails {
    const fn = this.found(owner, name);
    if (change.allowLan !== undefined && role !== "owner") throw fail("insufficient_role", "Only the Owner lets a function reach the LAN");
    this.deps.repo.update(fn.id, change);
    // New settings (allowed hosts, disabled) apply from the next request, on a fresh process.
    this.retire(fn.id);
    return this.get(owner, name);
  }

  /** Set (a string) or remove (null) secrets; their values are never shown back. */
  setSecrets(owner: string, name: string, secrets: Record<string, string | null>): FunctionDetails {
    const fn = this.found(owner, name);
    this.deps.repo.setSecrets(
      fn.id,
      Object.entries(secrets).map(([k, v]) => [k, v === null ? null : this.deps.vault.seal(v, `function-secret:${fn.id}:${k}`)]),
    );
    this.retire(fn.id);
    return this.get(owner, name);
  }

  remove(owner: string, name: string): void {
    const fn = this.found(owner, name);
    this.retire(fn.id);
    this.stores.get(fn.id)?.close();
    this.stores.delete(fn.id);
    this.deps.repo.remove(fn.id);
    this.logs.delete(fn.id);
    this.metrics.delete(fn.id);
    rmSync(join(this.deps.dataDir, "functions", fn.id), { recursive: true, force: true });
  }

  private metricsOf(functionId: string): FunctionDetails["metrics"] {
    const m = this.metrics.get(functionId);
    if (!m || m.recent.length === 0) return { requests: m?.requests ?? 0, errors: m?.errors ?? 0, p50Ms: null, p99Ms: null };
    const sorted = [...m.recent].sort((a, b) => a - b);
    const at = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! * 100) / 100;
    return { requests: m.requests, errors: m.errors, p50Ms: at(50), p99Ms: at(99) };
  }

  private count(functionId: string, ms: number, status: number): void {
    let m = this.metrics.get(functionId);
    if (!m) this.metrics.set(functionId, (m = { requests: 0, errors: 0, recent: [] }));
    m.requests++;
    if (status >= 500) m.errors++;
    m.recent.push(ms);
    if (m.recent.length > RECENT) m.recent.shift();
  }

  logsOf(owner: string, name: string): LogEntry[] {
    return this.logs.get(this.found(owner, name).id) ?? [];
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

  private retire(functionId: string): void {
    this.running.get(functionId)?.process.stop();
    this.running.delete(functionId);
  }

  private record(fn: FunctionRow, entry: LogEntry): void {
    const list = this.logs.get(fn.id) ?? [];
    list.push(entry);
    if (list.length > MAX_LOG_ENTRIES) list.splice(0, list.length - MAX_LOG_ENTRIES);
    this.logs.set(fn.id, list);
    this.deps.events.emit("functions.log", { owner: fn.owner, name: fn.name, ...entry });
  }

  private async processFor(fn: FunctionRow, deployment: string): Promise<FunctionProcess> {
    const current = this.running.get(fn.id);
    if (current?.deployment === deployment && current.process.alive) return current.process;
    if (current) this.retire(fn.id);
    const env = Object.fromEntries(this.deps.repo.sealedSecrets(fn.id).map((s) => [s.name, this.deps.vault.open(s.sealed, `function-secret:${fn.id}:${s.name}`)]));
    const process = new FunctionProcess({
      bwrap: bwrapPath()!,
      deploymentDir: this.dir(fn, deployment),
      env,
      limits: this.limits,
      egress: (target, request) => this.egress(fn, target, request),
      kv: (op) => runKvOperation(this.kvOf(fn), op),
      onLog: (level, message) => this.record(fn, { at: Date.now(), level, message, deployment }),
      onExit: (reason) => {
        if (reason) this.record(fn, { at: Date.now(), level: "error", message: `The process was stopped: ${reason}`, deployment });
        if (this.running.get(fn.id)?.process === process) this.running.delete(fn.id);
      },
    });
    this.running.set(fn.id, { deployment, process });
    await process.ready;
    return process;
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

  /** A request for /fn/<owner>/<name>/<rest>: checks, then the function's own answer. */
  async invoke(request: Request, target: { owner: string; name: string; rest: string; prefix: string }, caller: { signedIn: boolean; client: { ip: string; port: number } }): Promise<Response> {
    const fn = this.deps.repo.find(target.owner, target.name);
    if (!fn || !fn.current_deployment) throw fail("function_not_found", "No such function");
    if (fn.visibility === "private" && !caller.signedIn) throw fail("token_missing", "This function is private: sign in to this node to use it");
    if (fn.disabled) throw fail("function_disabled", `${fn.name} is disabled`);
    const sandbox = await this.sandbox();
    if (!sandbox.ok) throw fail("functions_unavailable", `Functions cannot run on this node: ${sandbox.reason}`);
    const started = performance.now();
    try {
      const process = await this.processFor(fn, fn.current_deployment);
      const response = await process.handle(request, target.rest, caller.client);
      this.count(fn.id, performance.now() - started, response.status);
      return response;
    } catch (err) {
      this.count(fn.id, performance.now() - started, err instanceof AppError ? err.status : 500);
      throw err;
    }
  }
}
