// A PC2 node's lifecycle: open data dir and database, build services, listen; stop everything in reverse.
import { checkTarget } from "./services/backup/backup.service.ts";
import type { Server } from "bun";
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createApp, type App } from "./app.ts";
import type { Config } from "./config.ts";
import type { AppContext, Services } from "./context.ts";
import { closeDatabase, databaseFile, openDatabase } from "./db/database.ts";
import { migrate } from "./db/migrate.ts";
import { EventBus } from "./events.ts";
import { DataDirLock } from "./fs/data-dir-lock.ts";
import { ControlSocket } from "./http/control-socket.ts";
import { listen, listenRedirect, type NodeServer } from "./http/http-server.ts";
import type { HttpObservation } from "./services/metrics/metrics.service.ts";
import { diskAssetStore, type AssetStore } from "./http/static-assets.ts";
import { AuthGuard } from "./http/auth-guard.ts";
import { HostGuard, hostnameOf } from "./http/host-guard.ts";
import { ACME_CHALLENGE_PREFIX } from "./tls/acme-challenges.ts";
import { ProxyTrust } from "./http/proxy-trust.ts";
import { wireReactions } from "./reactions.ts";
import { registerWsMethods, wsPolicy } from "./ws-app.ts";
import { WsHub } from "./http/ws-hub.ts";
import { createLogger, type Logger } from "./log.ts";
import type { PublicIdentity } from "./services/identity/identity.service.ts";
import { createServices } from "./services/index.ts";
import type { SetupStatus } from "./services/setup/setup.service.ts";
import { NODE_TOPIC } from "./services/system/system.ws.ts";
import { VERSION } from "./services/system/system.service.ts";

export interface NodeOptions {
  log?: Logger;
  /** Where the desktop's files come from; defaults to dist/web beside the source tree. */
  assets?: AssetStore;
  /** The sample WASM apps (name → file); defaults to dist/wasm-apps beside the source tree. */
  wasmApps?: Record<string, string>;
  /** The embedded node-llama-cpp runtime (single binary only). */
  llamaRuntime?: string;
}

export interface Started {
  url: string;
  port: number;
  identity: PublicIdentity;
  setup: SetupStatus;
}

const DEFAULT_ASSETS_DIR = join(import.meta.dir, "..", "dist", "web");

export class Pc2Node {
  readonly ctx: AppContext;
  readonly services: Services;
  readonly hub: WsHub;
  readonly app: App;
  /** The names the node answers to; the network adds its public name here once it has one. */
  readonly hosts: HostGuard;
  private readonly lock: DataDirLock;
  private server: NodeServer | null = null;
  private relay: NodeServer | null = null;
  /** Relayed TLS (passed through the gateway still encrypted) ends here, with the node's certificate. */
  private relayTls: NodeServer | null = null;
  /** https://<name>.<domain>, as the network last reported it (relayed plain HTTP for the name is sent there). */
  private publicHttps: URL | null = null;
  /** Plain HTTP on PC2_TLS_REDIRECT_PORT, sending everyone to HTTPS. */
  private redirect: Server<undefined> | null = null;
  /** Listeners replaced by a new certificate, finishing their in-flight requests. */
  private readonly retired = new Set<NodeServer>();
  /** The `pc2` CLI's line to the running node (data/pc2.sock, 0600). */
  private readonly control: ControlSocket;
  private stopping: Promise<void> | null = null;
  private started: Started | null = null;

  constructor(
    readonly config: Config,
    options: NodeOptions = {},
  ) {
    const log = options.log ?? createLogger({ level: config.logLevel, format: config.logFormat });
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    chmodSync(config.dataDir, 0o700);
    this.lock = new DataDirLock(config.dataDir);
    this.lock.acquire();
    let db: ReturnType<typeof openDatabase> | null = null;
    try {
      db = openDatabase(databaseFile(config.dataDir));
      const applied = migrate(db);
      if (applied.length) log.info("database migrated", { applied });
      this.ctx = { config, log, events: new EventBus(log.child({ svc: "events" })), db };
      this.services = createServices(this.ctx, { wasmApps: options.wasmApps, llamaRuntime: options.llamaRuntime });
      const guard = new AuthGuard(this.services.sessions);
      this.hub = new WsHub(config.ws, wsPolicy(guard, this.services), log.child({ svc: "ws" }));
      registerWsMethods(this.hub, this.services);
      wireReactions(this.ctx.events, this.services, this.hub);
      // The public address the relay gives this node is a name it answers to.
      this.ctx.events.on("network.status", (s) => {
        if (s.publicEndpoint) this.hosts.allow(new URL(s.publicEndpoint).hostname);
        if (s.publicName.url) this.hosts.allow(new URL(s.publicName.url).hostname);
        this.publicHttps = s.publicName.httpsUrl ? new URL(s.publicName.httpsUrl) : null;
      });
      this.services.system.addCheck("websocket", () => ({ status: "ok", connections: this.hub.connectionCount() }));
      this.services.metrics.gauge("websocket_connections", "WebSocket connections open at /ws", () => this.hub.connectionCount());
      // The names an ACME certificate is asked for are the node's: the CA's check arrives with them as Host.
      this.hosts = new HostGuard([...config.hostNames, ...this.services.tls.acmeNames, ...(config.functionsDomain ? [`*.${config.functionsDomain}`] : [])]);
      this.ctx.events.on("tls.names", ({ names }) => {
        for (const n of names) this.hosts.allow(n);
      });
      this.control = new ControlSocket(join(config.dataDir, "pc2.sock"), {
        "/network/status": () => this.services.network.status(),
        "/network/lookup/": (url) => this.services.network.lookup(decodeURIComponent(url.pathname.slice("/network/lookup/".length))),
        // An update's trial asks the new release whether it is up (update-trial.ts).
        "/health": () => ({ version: VERSION, ...this.services.system.health() }),
        "/update/check": () => this.services.updates.check(),
        "/update/status": () => this.services.updates.status(),
        "/update/apply": () => this.services.updates.apply(null),
        "/update/rollback": (url) => this.services.updates.rollback(null, url.searchParams.get("force") === "1"),
        // `pc2 backup create`: the running node backs itself up, consistent while it serves.
        "/backup/create": (url) => {
          const node = url.searchParams.get("node");
          const target = node !== null ? { kind: "node", nodeId: node } : { kind: "folder", folder: url.searchParams.get("folder") ?? "" };
          return this.services.backup.run(checkTarget(target, this.services.backup.nodeId()));
        },
      });
      this.app = createApp({ config, log, services: this.services, guard, hosts: this.hosts, assets: options.assets ?? diskAssetStore(DEFAULT_ASSETS_DIR) });
    } catch (err) {
      if (db) closeDatabase(db);
      this.lock.release();
      throw err;
    }
  }

  /** Start services, then listen. Resolves with what the banner shows. */
  async start(): Promise<Started> {
    for (const part of this.services.lifecycle) await part.start?.();
    const identity = this.services.identity.info();
    const setup = this.services.setup.issuedStatus();
    this.hub.start();
    this.server = this.listenMain(this.config.port);
    // A new certificate (the Owner's files changed): a listener with it takes the port, the old one finishes what it has.
    this.ctx.events.on("tls.changed", () => this.replaceListener());
    // Connections relayed by the Active Proxy arrive on a listener of their own, so they are never taken for local ones.
    const relayed = this.services.network.relayedClients;
    this.relay = listen(this.app, this.hub, this.ctx.log.child({ svc: "http", via: "relay" }), {
      host: "127.0.0.1",
      port: 0,
      hosts: this.hosts,
      proxies: new ProxyTrust([]),
      relayed,
      upgradeTo: (request, path) => this.httpsForPublicName(request, path),
      functionHosts: this.services.functions.hosts,
      onResponse: this.observe,
    });
    relayed.port = this.relay.port ?? 0;
    this.relayTls = this.listenRelayTls(0);
    const port = this.server.port ?? this.config.port;
    if (this.config.tls.redirectPort !== null)
      this.redirect = listenRedirect(this.ctx.log.child({ svc: "http", via: "redirect" }), {
        host: this.config.host,
        port: this.config.tls.redirectPort,
        httpsPort: port,
        hosts: this.hosts,
        acmeAnswer: (path) => this.services.tls.challenges.answer(path),
      });
    const host = this.config.host.includes(":") ? `[${this.config.host}]` : this.config.host;
    const url = `${this.services.tls.enabled ? "https" : "http"}://${host}:${port}`;
    this.started = { url, port, identity, setup };
    this.control.start();
    this.ctx.events.emit("node.started", { url, nodeId: identity.nodeId });
    return this.started;
  }

  /** Where the redirect to HTTPS listens (null: none). */
  get redirectPort(): number | null {
    return this.redirect?.port ?? null;
  }

  /**
   * http://<name>.<domain> arrives in clear through the super node. When the gateway passes HTTPS
   * through and the node's certificate covers the name, send the browser there (308) instead; an
   * ACME challenge is answered where it came.
   */
  /** Every answered request, for the metrics. */
  private readonly observe = (o: HttpObservation) => this.services.metrics.httpRequest(o);

  private httpsForPublicName(request: Request, path: string): string | null {
    const target = this.publicHttps;
    if (!target || path.startsWith(ACME_CHALLENGE_PREFIX)) return null;
    if (hostnameOf(request.headers.get("host") ?? "") !== target.hostname || !this.services.tls.covers(target.hostname)) return null;
    const url = new URL(request.url);
    return `${target.origin}${url.pathname}${url.search}`;
  }

  private listenRelayTls(port: number): NodeServer | null {
    const tls = this.services.tls;
    const relayed = this.services.network.relayedClients;
    const options = tls.serverOptions();
    if (!options) return null;
    const server = listen(this.app, this.hub, this.ctx.log.child({ svc: "http", via: "relay-tls" }), {
      host: "127.0.0.1",
      port,
      hosts: this.hosts,
      proxies: new ProxyTrust([]),
      relayed,
      tls: options,
      hsts: tls.sendsHsts(),
      functionHosts: this.services.functions.hosts,
      onResponse: this.observe,
    });
    relayed.tlsPort = server.port ?? 0;
    return server;
  }

  private listenMain(port: number): NodeServer {
    const tls = this.services.tls;
    return listen(this.app, this.hub, this.ctx.log.child({ svc: "http" }), {
      host: this.config.host,
      port,
      hosts: this.hosts,
      proxies: new ProxyTrust(this.config.trustedProxies),
      tls: tls.serverOptions(),
      hsts: tls.sendsHsts(),
      functionHosts: this.services.functions.hosts,
      onResponse: this.observe,
    });
  }

  /**
   * Bun cannot change a listener's certificate, so a new listener takes the port: the old one stops
   * accepting and the new one binds in the same tick (a connection attempt in those microseconds is
   * refused), while requests and sockets already on the old one carry on until they end.
   */
  private replaceListener(): void {
    const old = this.server;
    if (!old || this.stopping) return;
    const port = old.port ?? this.config.port;
    this.retired.add(old);
    void old.stop(false).then(() => this.retired.delete(old));
    this.server = this.listenMain(port);
    const oldRelay = this.relayTls;
    if (oldRelay) {
      this.retired.add(oldRelay);
      void oldRelay.stop(false).then(() => this.retired.delete(oldRelay));
      this.relayTls = this.listenRelayTls(oldRelay.port ?? 0);
    }
  }

  /**
   * Graceful stop: tell WebSocket clients, stop accepting, let in-flight requests finish (up to the
   * shutdown timeout), then close the database and release the data directory. Safe to call twice.
   */
  stop(reason = "shutdown"): Promise<void> {
    this.stopping ??= this.doStop(reason);
    return this.stopping;
  }

  private async doStop(reason: string): Promise<void> {
    const { log, events, db } = this.ctx;
    log.info("stopping", { reason });
    events.emit("node.stopping", { reason });
    this.hub.publish(NODE_TOPIC, "node.stopping", { reason });
    this.hub.stop();
    this.control.stop();
    this.relay?.stop(true);
    this.relay = null;
    this.relayTls?.stop(true);
    this.relayTls = null;
    this.redirect?.stop(true);
    this.redirect = null;
    for (const old of this.retired) old.stop(true);
    if (this.server) {
      const server = this.server;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const drained = await Promise.race([server.stop(false).then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.config.shutdownTimeoutMs)))]);
      clearTimeout(timer);
      if (!drained) {
        log.warn("in-flight requests did not finish in time; closing them", { timeoutMs: this.config.shutdownTimeoutMs });
        await server.stop(true);
      }
    }
    for (const part of [...this.services.lifecycle].reverse()) await part.stop?.();
    closeDatabase(db);
    this.lock.release();
    log.info("stopped");
  }
}
