// Edge functions: deploy (bundle, store by content hash, make current), roll back, settings,
// secrets, and the checks before a request or a WebSocket reaches a function's process (the pool,
// function-pool.ts); logs and metrics are kept by function-telemetry.ts.
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { AppError, fail } from "../../errors.ts";
import type { EventBus } from "../../events.ts";
import { writeFileAtomic } from "../../fs/atomic-write.ts";
import type { Logger } from "../../log.ts";
import type { OutboundFetch, Reach } from "../../net/outbound-fetch.ts";
import type { Role } from "../../principal.ts";
import type { KeyVault } from "../ai/key-vault.ts";
import { bundleFunction, type SourceFile } from "./function-bundler.ts";
import { FunctionDirectory } from "./function-directory.ts";
import { FunctionPool } from "./function-pool.ts";
import { FunctionSubdomains } from "./function-subdomains.ts";
import type { FunctionLimits } from "./function-process.ts";
import type { SocketAnswer } from "./function-socket.ts";
import { changeLimits, describeLimits, type LimitsChange } from "./function-limits.ts";
import type { FunctionLogStore } from "./function-log-store.ts";
import { FunctionTelemetry, type LogEntry, type MetricsSummary } from "./function-telemetry.ts";
import type { DeploymentRow, FunctionRow, FunctionsRepository, Visibility } from "./functions.repository.ts";
import { probeSandbox } from "./sandbox-command.ts";

export const FUNCTION_LIMITS: FunctionLimits = {
  wallMs: 30_000,
  memoryBytes: 128 * 1024 * 1024,
  concurrency: 16,
  bodyBytes: 16 * 1024 * 1024,
  stallMs: 2_000,
  startMs: 10_000,
  sockets: 256,
  messageBytes: 1024 * 1024,
};
export interface FunctionDetails {
  name: string;
  owner: string;
  url: string;
  /** Its own host name's first label, and the host name (null without one, or when the node has no functions domain). */
  subdomain: string | null;
  host: string | null;
  visibility: Visibility;
  disabled: boolean;
  allowedHosts: string[];
  allowLan: boolean;
  current: string | null;
  deployments: DeploymentRow[];
  secrets: string[];
  /** Requests and errors (500 and above) since it was created, and latency to the response's headers over the last 1,000 requests since the node started. */
  metrics: MetricsSummary;
  /** The limits its process runs under: each one's value and whether its deployer set it (lower than the node's). */
  limits: ReturnType<typeof describeLimits>;
  createdAt: number;
  updatedAt: number;
}

export interface FunctionsDeps {
  repo: FunctionsRepository;
  vault: KeyVault;
  dataDir: string;
  log: Logger;
  /** Outbound requests on a function's behalf: the internet only, or also the LAN (the Owner's choice). */
  outbound: (reach: Reach) => OutboundFetch;
  /** Where log lines go live (the deployer's sockets, through reactions.ts). */
  events: EventBus;
  /** Where log lines and request counts are kept across restarts. */
  logStore: FunctionLogStore;
  /** A folder of the deployer's own storage, as a function's files (stored-folder.ts). */
  readFolder: (owner: string, folder: string) => Promise<SourceFile[]>;
  /** A domain whose wildcard points at the node: functions may have <subdomain>.<domain> (null: none). */
  domain: string | null;
  limits?: FunctionLimits;
}

/** Who is asking, and from where (the function sees the address). */
export interface Caller {
  signedIn: boolean;
  client: { ip: string; port: number };
}

/** Which function a request to /fn/<owner>/<name>/<rest> is for. */
export interface Target {
  owner: string;
  name: string;
  /** The path and query after the function's prefix. */
  rest: string;
}

export class FunctionsService {
  /** Whether bubblewrap can make a sandbox here: asked once, when functions are first used. */
  private sandboxCheck: Promise<{ ok: true } | { ok: false; reason: string }> | null = null;
  private readonly telemetry: FunctionTelemetry;
  /** The node's limits: each function's are these, or lower where its deployer set them. */
  private readonly limits: FunctionLimits;
  private readonly pool: FunctionPool;
  /** The rows requests look up, kept for a moment (function-directory.ts). */
  private readonly directory: FunctionDirectory;
  /** Functions' own host names, when the node has a functions domain (given to the listeners). */
  readonly hosts: FunctionSubdomains | null;

  constructor(private readonly deps: FunctionsDeps) {
    this.telemetry = new FunctionTelemetry(deps.events, deps.logStore, deps.log);
    this.directory = new FunctionDirectory((owner, name) => deps.repo.find(owner, name));
    this.hosts = deps.domain ? new FunctionSubdomains(deps.domain, (label) => deps.repo.bySubdomain(label)) : null;
    const { repo, vault, dataDir, outbound } = deps;
    this.limits = deps.limits ?? FUNCTION_LIMITS;
    this.pool = new FunctionPool({ repo, vault, dataDir, outbound, telemetry: this.telemetry, limits: this.limits });
  }

  start(): void {
    this.prune();
    this.pool.start();
  }

  /**
   * Functions deleted behind the service's back — a user's removal deletes theirs by cascade, and
   * `pc2 owner reset` may run beside the node — lose their process, their key-value store and their
   * folder (bundles, data) here: at start, and when a user is removed.
   */
  prune(): void {
    this.directory.forgetAll();
    const kept = new Set(this.deps.repo.all().map((f) => f.id));
    const root = join(this.deps.dataDir, "functions");
    const stored = existsSync(root) ? readdirSync(root) : [];
    for (const id of new Set([...this.pool.functionIds(), ...stored])) {
      if (kept.has(id)) continue;
      this.pool.forget(id);
      this.telemetry.forget(id);
      rmSync(join(root, id), { recursive: true, force: true });
    }
  }

  private sandbox(): Promise<{ ok: true } | { ok: false; reason: string }> {
    this.sandboxCheck ??= probeSandbox().then((result) => {
      if (!result.ok) this.deps.log.warn("functions cannot run on this node", { reason: result.reason });
      return result;
    });
    return this.sandboxCheck;
  }

  /** Every process stopped (their last log lines read), then lines and counts written. */
  async stop(): Promise<void> {
    await this.pool.stop();
    this.telemetry.write();
  }

  async status(): Promise<{ available: boolean; reason: string | null }> {
    const sandbox = await this.sandbox();
    return { available: sandbox.ok, reason: sandbox.ok ? null : sandbox.reason };
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
      subdomain: fn.subdomain,
      host: fn.subdomain && this.hosts ? this.hosts.hostOf(fn.subdomain) : null,
      visibility: fn.visibility,
      disabled: fn.disabled,
      allowedHosts: fn.allowed_hosts,
      allowLan: fn.allow_lan,
      current: fn.current_deployment,
      deployments: this.deps.repo.deployments(fn.id),
      secrets: this.deps.repo.secretNames(fn.id),
      metrics: this.telemetry.metricsOf(fn.id),
      limits: describeLimits(this.limits, fn.limits),
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
    const dir = this.pool.dir({ id }, bundle.id);
    if (!existsSync(join(dir, "bundle.js"))) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileAtomic(join(dir, "bundle.js"), bundle.code, 0o600);
    }
    const fn = this.deps.repo.deploy(
      { id, owner, name: input.name, visibility: input.visibility ?? "private", allowedHosts: input.allowedHosts ?? [] },
      { id: bundle.id, entry: bundle.entry, size: Buffer.byteLength(bundle.code), created_at: Date.now() },
    );
    if (existing && (input.visibility || input.allowedHosts)) this.deps.repo.update(fn.id, { visibility: input.visibility, allowedHosts: input.allowedHosts });
    this.changed(fn);
    return { ...this.get(owner, input.name), startError: await this.warm(fn) };
  }

  /**
   * Start the current deployment's process now, so that its first request finds it serving; a
   * module that fails to start is still deployed, and the deployer hears why (null: it started).
   */
  private async warm(fn: FunctionRow): Promise<string | null> {
    if (!(await this.sandbox()).ok || fn.disabled || !fn.current_deployment) return null;
    try {
      await this.pool.processFor(fn, fn.current_deployment);
      return null;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  rollback(owner: string, name: string, deployment: string): FunctionDetails {
    const fn = this.found(owner, name);
    if (!this.deps.repo.deployments(fn.id).some((d) => d.id === deployment)) throw fail("deployment_not_found", `${name} has no deployment ${deployment}`);
    this.deps.repo.setCurrent(fn.id, deployment);
    this.changed(fn);
    return this.get(owner, name);
  }

  update(
    owner: string,
    name: string,
    change: { visibility?: Visibility; disabled?: boolean; allowedHosts?: string[]; allowLan?: boolean; subdomain?: string | null; limits?: LimitsChange },
    role: Role,
  ): FunctionDetails {
    const fn = this.found(owner, name);
    const limits = change.limits ? changeLimits(fn.limits, change.limits, this.limits) : undefined;
    if (change.allowLan !== undefined && role !== "owner") throw fail("insufficient_role", "Only the Owner lets a function reach the LAN");
    if (change.subdomain && !this.hosts)
      throw fail("functions_domain_not_set", "This node has no domain for functions: its Owner sets PC2_FUNCTIONS_DOMAIN (a domain whose wildcard points at the node)");
    if (!this.deps.repo.update(fn.id, { ...change, limits })) throw fail("function_subdomain_taken", `Another function on this node answers at ${this.hosts!.hostOf(change.subdomain!)}`);
    this.changed(fn);
    if (change.subdomain && change.subdomain !== fn.subdomain) this.deps.events.emit("functions.hosts", { added: this.hosts!.hostOf(change.subdomain) });
    return this.get(owner, name);
  }

  /** Set (a string) or remove (null) secrets; their values are never shown back. */
  setSecrets(owner: string, name: string, secrets: Record<string, string | null>): FunctionDetails {
    const fn = this.found(owner, name);
    this.deps.repo.setSecrets(
      fn.id,
      Object.entries(secrets).map(([k, v]) => [k, v === null ? null : this.deps.vault.seal(v, `function-secret:${fn.id}:${k}`)]),
    );
    this.changed(fn);
    return this.get(owner, name);
  }

  remove(owner: string, name: string): void {
    const fn = this.found(owner, name);
    this.directory.forget(owner, name);
    this.pool.forget(fn.id);
    this.deps.repo.remove(fn.id);
    this.telemetry.forget(fn.id);
    rmSync(join(this.deps.dataDir, "functions", fn.id), { recursive: true, force: true });
  }

  /** New code or settings (allowed hosts, secrets, disabled) apply from the next request, on a fresh process. */
  private changed(fn: FunctionRow): void {
    this.directory.forget(fn.owner, fn.name);
    this.pool.retire(fn.id);
  }

  logsOf(owner: string, name: string): LogEntry[] {
    return this.telemetry.logsOf(this.found(owner, name).id);
  }

  /** The function a request is for, once the caller may use it and it can run. */
  private async callable(target: Target, caller: Caller): Promise<FunctionRow & { current_deployment: string }> {
    const fn = this.directory.find(target.owner, target.name);
    if (!fn || !fn.current_deployment) throw fail("function_not_found", "No such function");
    if (fn.visibility === "private" && !caller.signedIn) throw fail("token_missing", "This function is private: sign in to this node to use it");
    if (fn.disabled) throw fail("function_disabled", `${fn.name} is disabled`);
    const sandbox = await this.sandbox();
    if (!sandbox.ok) throw fail("functions_unavailable", `Functions cannot run on this node: ${sandbox.reason}`);
    return fn as FunctionRow & { current_deployment: string };
  }

  /** Time and count what `run` answers (an error counts as its status). */
  private async measured<T>(fn: FunctionRow, run: () => Promise<T>, statusOf: (result: T) => number): Promise<T> {
    const started = performance.now();
    try {
      const result = await run();
      this.telemetry.count(fn.id, performance.now() - started, statusOf(result));
      return result;
    } catch (err) {
      this.telemetry.count(fn.id, performance.now() - started, err instanceof AppError ? err.status : 500);
      throw err;
    }
  }

  /** A request for /fn/<owner>/<name>/<rest>: checks, then the function's own answer. */
  async invoke(request: Request, target: Target, caller: Caller): Promise<Response> {
    const fn = await this.callable(target, caller);
    return this.measured(
      fn,
      async () => (await this.pool.processFor(fn, fn.current_deployment)).handle(request, target.rest, caller.client),
      (response) => response.status,
    );
  }

  /** A WebSocket request for /fn/<owner>/<name>/<rest>: the same checks, then the handler's socket or answer. */
  async connect(headers: Headers, target: Target, caller: Caller): Promise<SocketAnswer> {
    const fn = await this.callable(target, caller);
    return this.measured(
      fn,
      async () => (await this.pool.processFor(fn, fn.current_deployment)).connect(target.rest, headers, caller.client),
      (answer) => ("refused" in answer ? answer.refused.status : 101),
    );
  }
}
