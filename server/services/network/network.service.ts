// The node on the Boson network: joins the DHT when the Owner turns networking on, publishes its
// own peer record (peer ID = Node ID, signed by the node key), finds other nodes by Node ID, and
// reports its state in words and numbers. Off by default: nothing leaves the machine until then.
import { dirname, join } from "node:path";
import { existsSync, readFileSync } from "node:fs";
import type { NetworkConfig } from "../../config.ts";
import type { Database } from "../../db/database.ts";
import type { EventBus } from "../../events.ts";
import { fail } from "../../errors.ts";
import { ensurePrivateDir, writeFileAtomic } from "../../fs/atomic-write.ts";
import type { Logger } from "../../log.ts";
import { BosonNode } from "../../boson/boson-node.ts";
import { peerAddresses } from "../../backup/peer-locator.ts";
import type { PersistedEntry } from "../../boson/dht/routing-table.ts";
import { Id, InvalidIdError } from "../../boson/id.ts";
import type { KeyPair } from "../../boson/keys.ts";
import type { PeerRecord } from "../../boson/v2/messages.ts";
import { signedPeer } from "../../boson/v2/records.ts";
import { signNodeInfo } from "../../boson/node-info.ts";
import { VERSION } from "../system/system.service.ts";
import type { SettingsRepository } from "../settings/settings.repository.ts";
import { RelayedClients } from "../../http/relayed-clients.ts";
import { NetworkName, type PublicName } from "./network-name.ts";
import { NetworkRelay } from "./network-relay.ts";
import type { LookupAnswer, NetworkState, NetworkStatus } from "./network-status.ts";

const ENABLED_KEY = "network.enabled";

export interface NetworkDeps {
  config: NetworkConfig;
  settings: SettingsRepository;
  db: Database;
  keys: () => KeyPair;
  dataDir: string;
  events: EventBus;
  log: Logger;
}

export class NetworkService {
  private node: BosonNode | null = null;
  private state: NetworkState = "off";
  private error: string | null = null;
  private publicEndpoint: string | null = null;
  /** The port PC2's HTTP server listens on: what the peer record advertises until there is a public URL. */
  private httpPort = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Grows with every change (from the clock at start, so also across restarts): a client can tell a newer status from an older one that arrived late. */
  private revision = Date.now();

  private readonly relay: NetworkRelay;
  private readonly name: NetworkName;
  /** Who each relayed connection is for; the node's relay listener asks. */
  readonly relayedClients = new RelayedClients();

  constructor(private readonly d: NetworkDeps) {
    this.relay = new NetworkRelay(d.config, d.db, this.relayedClients, join(d.dataDir, "network", "proxy-ports.json"), d.log, (url) => this.setPublicEndpoint(url));
    this.name = new NetworkName(d.config.gateway.url, d.settings, d.keys, d.log);
  }

  enabled(): boolean {
    return this.d.settings.get(ENABLED_KEY) === "true";
  }

  async start(): Promise<void> {
    if (this.enabled()) await this.join();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.relay.stop();
    this.node?.stop();
    this.node = null;
    this.publicEndpoint = null;
    this.setState("off");
  }

  /** Turn networking on or off (the Owner's or an Admin's choice; kept across restarts). */
  async setEnabled(enabled: boolean): Promise<NetworkStatus> {
    this.d.settings.set(ENABLED_KEY, String(enabled));
    if (enabled && !this.node) await this.join();
    if (!enabled && this.node) this.stop();
    return this.status();
  }

  /** The HTTP server is listening (known after the services start). */
  setHttpPort(port: number): void {
    const changed = port !== this.httpPort;
    this.httpPort = port;
    if (changed && this.node) void this.announce();
  }

  /** The endpoint other nodes reach this node's PC2 at (given by the Active Proxy). */
  private setPublicEndpoint(url: string | null): void {
    this.publicEndpoint = url;
    if (this.node && url) void this.announce();
    if (url) void this.name.refresh().then(() => this.emit());
    this.emit();
  }

  /** The node's public name at the gateway, if it has one. */
  publicName(): NetworkStatus["publicName"] {
    const n = this.name.current();
    return { configured: this.name.configured, name: n?.name ?? null, url: n?.url ?? null, httpsUrl: n?.httpsUrl ?? null, error: this.name.lastError };
  }

  nameAvailable(name: string): Promise<{ username: string; available: boolean }> {
    return this.name.available(name);
  }

  /** Register (or change) the node's public name; it must be online through a super node first. */
  async registerName(name: string): Promise<PublicName> {
    if (!this.publicEndpoint) throw fail("not_relayed", "The node has no public address yet: networking must be on and a super node reachable");
    const registered = await this.name.register(name);
    this.emit();
    return registered;
  }

  async releaseName(): Promise<void> {
    await this.name.release();
    this.emit();
  }

  private persistence(family: 4 | 6) {
    const file = join(this.d.dataDir, "network", `routing-ipv${family}.json`);
    return {
      load: (): PersistedEntry[] => {
        if (!existsSync(file)) return [];
        try {
          return JSON.parse(readFileSync(file, "utf8"));
        } catch {
          this.d.log.warn("saved routing table unreadable; starting empty", { file });
          return [];
        }
      },
      save: (entries: PersistedEntry[]) => {
        try {
          ensurePrivateDir(dirname(file));
          writeFileAtomic(file, JSON.stringify(entries), 0o600);
        } catch (err) {
          this.d.log.warn("could not save the routing table", { file, err });
        }
      },
    };
  }

  private async join(): Promise<void> {
    const c = this.d.config;
    this.setState("starting");
    const node = new BosonNode({
      keys: this.d.keys(),
      port: c.port,
      ipv4: c.ipv4 ?? undefined,
      ipv6: c.ipv6 ?? undefined,
      bootstrap: c.bootstrap.map((b) => ({ id: Id.parse(b.id), host: b.host, port: b.port })),
      maxRecords: c.mode === "super" ? c.maxRecords : Math.min(c.maxRecords, 2_048),
      developmentMode: c.developmentMode,
      persistence: (family) => this.persistence(family),
      nodeInfo: () => signNodeInfo(this.d.keys(), `PC2 ${VERSION}`, this.publicEndpoint),
    });
    try {
      await node.start();
    } catch (err) {
      this.error = `cannot open UDP port ${c.port}: ${(err as Error).message}`;
      this.d.log.error("network failed to start", { port: c.port, err });
      this.setState("failed");
      return;
    }
    this.node = node;
    this.error = null;
    this.d.log.info("joined the Boson network", { port: node.dhts[0]?.port, mode: c.mode, bootstrap: c.bootstrap.length });
    void this.bootstrapAndAnnounce();
    await this.relay.start(this.d.keys());
    // The state follows the routing table: re-checked every 10 seconds.
    this.timer = setInterval(() => this.refreshState(), 10_000);
  }

  private async bootstrapAndAnnounce(): Promise<void> {
    await this.node?.bootstrap().catch(() => {});
    this.refreshState();
    await this.announce();
  }

  /** Publish our peer record: peer ID = Node ID, at the HTTP port (or the public URL once we have one). */
  private async announce(): Promise<void> {
    const node = this.node;
    if (!node) return;
    const keys = this.d.keys();
    const record: PeerRecord = signedPeer(keys, keys.id, this.httpPort || 443, { alt: this.publicEndpoint });
    await node.announcePeer(record, { persistent: true }).catch((err) => this.d.log.warn("announce failed", { err }));
    this.emit();
  }

  private refreshState(): void {
    if (!this.node) return;
    const size = this.node.dhts.reduce((n, d) => n + d.table.size, 0);
    this.setState(size > 0 ? "online" : "alone");
  }

  private setState(state: NetworkState): void {
    if (state === this.state) return;
    this.state = state;
    this.emit();
  }

  private emit(): void {
    this.revision++;
    this.d.events.emit("network.status", this.status());
  }

  /** Where the node stands on the network, alone (a health check asks this often; status() builds far more). */
  currentState(): NetworkState {
    return this.state;
  }

  status(): NetworkStatus {
    const keys = this.d.keys();
    const node = this.node;
    const dhts = node?.dhts ?? [];
    const reachable = new Set(
      dhts.flatMap((d) =>
        d.table
          .all()
          .filter((e) => e.verified)
          .map((e) => e.id.toString()),
      ),
    );
    const traffic = { sent: 0, received: 0, timeouts: 0, badPackets: 0, dropped: 0 };
    for (const d of dhts) for (const k of Object.keys(traffic) as (keyof typeof traffic)[]) traffic[k] += k === "dropped" ? 0 : d.rpc.stats[k];
    traffic.dropped = node?.abuse.dropped ?? 0;
    const lastAnnounce = Math.max(0, ...dhts.map((d) => d.lastAnnounce));
    return {
      revision: this.revision,
      enabled: this.enabled(),
      state: this.state,
      summary: SUMMARY[this.state],
      nodeId: keys.id.toString(),
      did: keys.id.toDid(),
      mode: this.d.config.mode,
      udpPort: dhts[0]?.port ?? null,
      families: dhts.map((d) => ({ family: d.family, address: d.contact.host, routingTableSize: d.table.size })),
      bootstrap: this.d.config.bootstrap.map((b) => ({ nodeId: b.id, address: `${b.host.includes(":") ? `[${b.host}]` : b.host}:${b.port}`, reachable: reachable.has(b.id) })),
      lastAnnounce: lastAnnounce ? new Date(lastAnnounce).toISOString() : null,
      publicEndpoint: this.publicEndpoint,
      publicName: this.publicName(),
      relay: this.relay.status(),
      stored: { values: node?.store.valueCount ?? 0, peers: node?.store.peerRecordCount ?? 0 },
      traffic,
      error: this.error,
    };
  }

  /** Where a node's PC2 answers HTTP, found by its Node ID (for backups onto a friend's node). */
  async peerAddresses(nodeIdText: string): Promise<string[]> {
    const id = Id.parse(nodeIdText);
    if (!this.node) throw fail("network_off", "Networking is off: turn it on in Settings › Network to reach a friend's node");
    return peerAddresses(this.node, id);
  }

  /** Find a node by its Node ID: its DHT address and the endpoints its signed peer record gives. */
  async lookup(nodeIdText: string): Promise<LookupAnswer> {
    let id: Id;
    try {
      id = Id.parse(nodeIdText);
    } catch (err) {
      if (err instanceof InvalidIdError) throw fail("invalid_node_id", `Not a Node ID: ${err.message}`);
      throw err;
    }
    if (!this.node) throw fail("network_off");
    const started = performance.now();
    const [contact, peers] = await Promise.all([this.node.findNode(id), this.node.findPeers(id)]);
    const endpoints = peers.filter((p) => p.nodeId.equals(id)).map((p) => ({ port: p.port, url: p.alt, via: p.origin.toString() }));
    // A PC2 node says what it is, signed by its key, inside the pair's box; anything else answers 204.
    const info = contact ? await this.node.nodeInfo(contact).catch(() => null) : null;
    return {
      nodeId: id.toString(),
      did: id.toDid(),
      found: contact !== null || endpoints.length > 0,
      address: contact ? `${contact.host.includes(":") ? `[${contact.host}]` : contact.host}:${contact.port}` : null,
      endpoints,
      info: info ? { version: info.version, endpoint: info.endpoint, signedAt: new Date(info.issuedAt * 1000).toISOString() } : null,
      ms: Math.round(performance.now() - started),
    };
  }
}

const SUMMARY: Record<NetworkState, string> = {
  off: "Networking is off. This node is not on the Boson network; nothing is published.",
  starting: "Joining the Boson network…",
  online: "On the Boson network: other nodes can find this node by its Node ID.",
  alone: "Networking is on, but no other node has answered yet. Check that this machine can reach the Internet (outgoing UDP).",
  failed: "Networking could not start. See the error below.",
};
