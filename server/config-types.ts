// The shape of the node's configuration (server/config.ts reads, checks and freezes it).
import type { BootstrapNode } from "./boson/bootstrap-nodes.ts";
import type { LogFormat, LogLevel } from "./log.ts";

export interface WsConfig {
  maxMessageBytes: number;
  heartbeatIntervalMs: number;
  sendBufferLimitBytes: number;
  maxSubscriptions: number;
  maxInFlight: number;
  /** Open sockets one wallet may hold at once. */
  maxConnectionsPerUser: number;
}

export interface Config {
  host: string;
  port: number;
  /** Extra names (and addresses) the node answers to besides loopback, its own addresses and its host name; "*.example.com" covers subdomains. */
  hostNames: string[];
  /** Reverse proxies (IPs or CIDRs) whose X-Forwarded-For and X-Forwarded-Proto are believed. */
  trustedProxies: string[];
  /** A domain whose wildcard points at the node: a function with a subdomain answers at <subdomain>.<domain> (null: none). */
  functionsDomain: string | null;
  dataDir: string;
  nodeName: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Preset one-time setup code for scripted installs; a secret, never logged. */
  setupCode: string | null;
  maxJsonBodyBytes: number;
  shutdownTimeoutMs: number;
  /** Sessions end this long after sign-in, whatever happens. */
  sessionMaxAgeMs: number;
  /** Sessions end after this long without a request. */
  sessionIdleMs: number;
  ws: WsConfig;
  terminal: { shell: string; maxPerUser: number; idleMs: number };
  /** Sandbox processes kept started (and WASM runs at once); runs beyond wait in a queue of `maxQueue`. */
  /** idleMs: sandbox processes stop after this long without a run (started again when one comes). */
  wasm: { workers: number; maxQueue: number; idleMs: number };
  /** The IPFS worker starts with the first file operation that needs it and stops after this long without one. */
  ipfsIdleMs: number;
  ai: AiConfig;
  network: NetworkConfig;
  tls: TlsConfig;
  update: UpdateConfig;
  configFile: string | null;
}

export interface UpdateConfig {
  /** Where the signed release manifest is published (https; http only on loopback, for tests); null: no checks. */
  manifestUrl: string | null;
  /** The publisher key releases must be signed with (base58): built into the binary, or a self-builder's own. */
  publicKey: string | null;
  channel: string;
  /** How long a new release has to become healthy before it is rolled back. */
  trialMs: number;
  /** How the node restarts into a release: "exit" with code 75 for its service manager to start it again, or "spawn" it itself. */
  restart: "exit" | "spawn";
}

/** How the node's listener speaks HTTPS ("auto" in the settings is resolved: off on loopback, else self-signed). */
export interface TlsConfig {
  mode: "off" | "self-signed" | "files" | "acme";
  /** Oldest TLS version accepted: 1.3 unless old clients need 1.2. */
  minVersion: "1.3" | "1.2";
  /** Mode "files": the certificate chain and its private key (PEM), watched for changes. */
  certFile: string | null;
  keyFile: string | null;
  /** A plain-HTTP port that redirects to HTTPS (and answers ACME HTTP-01 challenges); null: none. */
  redirectPort: number | null;
  acme: AcmeConfig;
}

/** Mode "acme": a certificate from an ACME CA (RFC 8555) through the HTTP-01 challenge. */
export interface AcmeConfig {
  directory: string;
  /** Contact for the CA's expiry and policy mail; null: none. */
  email: string | null;
  /** A CA certificate (PEM file) trusted for the directory besides the system's: a private ACME server. */
  caFile: string | null;
  /** Names to certify besides the node's public name (once it has one). */
  names: string[];
}

export interface NetworkConfig {
  /** "node": an ordinary PC2 node. "super": also keeps many records for others and can bootstrap a private network. */
  mode: "node" | "super";
  /** UDP port of the DHT (both families). */
  port: number;
  /** Address each family binds; null leaves it off. */
  ipv4: string | null;
  ipv6: string | null;
  bootstrap: BootstrapNode[];
  /** Loopback and private addresses count as routable: tests and private networks only. */
  developmentMode: boolean;
  /** Values and peer records kept for others. */
  maxRecords: number;
  /** The super node whose Active Proxy gives this node a public address; null: none. */
  superNode: BootstrapNode | null;
  /** Super-node mode: the Active Proxy server's port, the public ports it hands out, who may use it (empty: any node). */
  proxy: { port: number; portRange: [number, number]; allow: string[]; nodeMbits: number };
  /**
   * Names. Super-node mode: `domain` (empty: no gateway) and the port `<name>.<domain>` is served on.
   * Every node: `url`, the gateway's API where this node registers its name (null: none).
   */
  gateway: { domain: string | null; port: number; tlsPort: number | null; url: string | null; claimsPerMinute: number };
}

export interface AiConfig {
  /** CPU threads llama.cpp uses (keep one core for the node). */
  threads: number;
  /** Generations the built-in engine runs at once; more wait in a queue of `maxQueue`. */
  maxConcurrent: number;
  maxQueue: number;
  /** Cap on tokens per reply, and the default when a request does not say. */
  maxTokens: number;
  contextSize: number;
  /** A generation is stopped after this long. */
  timeoutMs: number;
  /** Ollama's model stores to read GGUF models from (colon-separated); missing ones are skipped. */
  ollamaStores: string[];
  /** The Ollama server until an Admin sets another in the AI settings. */
  ollamaHost: string;
}
