// The node's Active Proxy roles: as a client, a public address through a super node (relayed
// connections arrive on a loopback listener of their own, never taken for local ones, each tagged
// with the client the super node named); in super-node mode, the relay server other nodes connect
// to, and the name gateway when a domain is set.
import type { NetworkConfig } from "../../config.ts";
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Database } from "../../db/database.ts";
import { ensurePrivateDir, writeFileAtomic } from "../../fs/atomic-write.ts";
import type { RelayedClients } from "../../http/relayed-clients.ts";
import { GatewayApi } from "../../gateway/gateway-api.ts";
import { type GatewayMetrics, GatewayServer } from "../../gateway/gateway-server.ts";
import { NameRegistry } from "../../gateway/name-registry.ts";
import type { Logger } from "../../log.ts";
import { ProxyClient, type ProxyState } from "../../boson/active-proxy/proxy-client.ts";
import { type PortCacheEntries, type PortCacheStore, type ProxyMetrics, ProxyServer } from "../../boson/active-proxy/proxy-server.ts";
import { Id } from "../../boson/id.ts";
import type { KeyPair } from "../../boson/keys.ts";

export interface RelayStatus {
  /** The client side: null when no super node is configured. */
  client: { superNode: string; state: ProxyState["state"]; endpoint: string | null; reason: string | null } | null;
  /** The server side (super-node mode): null otherwise. */
  server: ({ port: number; portRange: [number, number] } & ProxyMetrics) | null;
  /** The name gateway (super-node mode with a domain): null otherwise. */
  gateway: ({ domain: string; port: number; tlsPort: number | null; names: number } & GatewayMetrics) | null;
}

export class NetworkRelay {
  private client: ProxyClient | null = null;
  private server: ProxyServer | null = null;
  private gateway: GatewayServer | null = null;
  private readonly registry: NameRegistry;

  constructor(
    private readonly config: NetworkConfig,
    db: Database,
    private readonly relayed: RelayedClients,
    /** Where a super node keeps its port cache across restarts (data/network/proxy-ports.json). */
    private readonly portCacheFile: string,
    private readonly log: Logger,
    /** The public URL changed (online, or lost). */
    private readonly onEndpoint: (url: string | null) => void,
  ) {
    this.registry = new NameRegistry(db);
  }

  async start(keys: KeyPair): Promise<void> {
    const c = this.config;
    if (c.mode === "super") {
      const allow = c.proxy.allow.length ? new Set(c.proxy.allow) : null;
      this.server = new ProxyServer({
        keys,
        host: c.ipv4 ?? "0.0.0.0",
        port: c.proxy.port,
        portRange: c.proxy.portRange,
        allow: allow ? (id) => allow.has(id) : undefined,
        portCacheStore: this.portCacheStore(),
        nodeBytesPerSecond: c.proxy.nodeMbits ? (c.proxy.nodeMbits * 1_000_000) / 8 : undefined,
      });
      try {
        await this.server.start();
        this.log.info("Active Proxy server listening", { port: this.server.port, ports: c.proxy.portRange.join("-"), nodeMbits: c.proxy.nodeMbits || "unlimited" });
      } catch (err) {
        this.log.error("Active Proxy server could not start", { port: c.proxy.port, err });
        this.server = null;
      }
      if (this.server && c.gateway.domain) await this.startGateway(this.server, c.gateway.domain);
    }
    if (c.superNode) {
      const sn = c.superNode;
      this.client = new ProxyClient({
        keys,
        server: { id: Id.parse(sn.id), host: sn.host, port: sn.port },
        // A TLS ClientHello (passed through the gateway by its name) goes to the TLS listener, which
        // holds the certificate; anything else to the plain one.
        upstream: { byFirstBytes: (first) => ({ host: "127.0.0.1", port: first[0] === 0x16 && this.relayed.tlsPort ? this.relayed.tlsPort : this.relayed.port }) },
        onRelayed: (localPort, client) => this.relayed.opened(localPort, client),
      });
      let last: string | null = null;
      this.client.onStatus = (s) => {
        const url = s.state === "online" ? `http://${s.endpoint}` : null;
        if (s.state === "online") this.log.info("public address through the super node", { endpoint: s.endpoint });
        else if (s.state === "failing") this.log.warn("super node unreachable; retrying", { reason: s.reason, retryInMs: s.retryInMs });
        if (url !== last) {
          last = url;
          this.onEndpoint(url);
        }
      };
      this.client.start();
    }
  }

  private portCacheStore(): PortCacheStore {
    const file = this.portCacheFile;
    return {
      load: () => {
        try {
          const entries = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as unknown) : [];
          if (!Array.isArray(entries)) return [];
          return entries.filter((e): e is PortCacheEntries[number] => Array.isArray(e) && typeof e[0] === "string" && Number.isInteger(e[1]?.port) && typeof e[1]?.until === "number");
        } catch {
          this.log.warn("saved relay port cache unreadable; starting empty", { file });
          return [];
        }
      },
      save: (entries) => {
        try {
          ensurePrivateDir(dirname(file));
          writeFileAtomic(file, JSON.stringify(entries), 0o600);
        } catch (err) {
          this.log.warn("could not save the relay port cache", { file, err });
        }
      },
    };
  }

  private async startGateway(proxy: ProxyServer, domain: string): Promise<void> {
    const c = this.config;
    const host = c.ipv4 ?? "0.0.0.0";
    let gateway: GatewayServer | null = null;
    const api = new GatewayApi({
      registry: this.registry,
      domain,
      publicPort: () => gateway?.port ?? c.gateway.port,
      tlsPort: () => gateway?.tlsPort ?? c.gateway.tlsPort,
      relayPortOf: (id) => proxy.portOf(id),
      claimsPerMinute: c.gateway.claimsPerMinute,
    });
    gateway = new GatewayServer({ host, port: c.gateway.port, tlsPort: c.gateway.tlsPort, domain, api, registry: this.registry, relay: proxy });
    try {
      await gateway.start();
      this.gateway = gateway;
      this.log.info("name gateway listening", { port: gateway.port, tlsPort: gateway.tlsPort, domain });
    } catch (err) {
      gateway.stop();
      this.log.error("name gateway could not start", { port: c.gateway.port, err });
    }
  }

  stop(): void {
    this.gateway?.stop();
    this.gateway = null;
    this.client?.stop();
    this.client = null;
    this.server?.stop();
    this.server = null;
  }

  status(): RelayStatus {
    const sn = this.config.superNode;
    const s = this.client?.status;
    return {
      client:
        sn && s
          ? {
              superNode: `${sn.id}@${sn.host.includes(":") ? `[${sn.host}]` : sn.host}:${sn.port}`,
              state: s.state,
              endpoint: s.state === "online" ? s.endpoint : null,
              reason: s.state === "failing" ? s.reason : null,
            }
          : null,
      server: this.server ? { port: this.server.port, portRange: this.config.proxy.portRange, ...this.server.metrics } : null,
      gateway: this.gateway ? { domain: this.config.gateway.domain!, port: this.gateway.port, tlsPort: this.gateway.tlsPort, names: this.registry.count(), ...this.gateway.metrics } : null,
    };
  }
}
