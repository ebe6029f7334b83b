// Typed, frozen configuration read once at boot: defaults < JSON config file (PC2_CONFIG) < environment.
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { type BootstrapNode, DEFAULT_BOOTSTRAP, parseBootstrapList } from "./boson/bootstrap-nodes.ts";
import type { LogFormat, LogLevel } from "./log.ts";
import { BUILT_RELEASE_KEY } from "./build-constants.ts";

export type { AcmeConfig, AiConfig, Config, NetworkConfig, TlsConfig, UpdateConfig, WsConfig } from "./config-types.ts";
import type { Config } from "./config-types.ts";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Parser<T> = (raw: unknown, label: string) => T;

interface Setting<T> {
  /** Key in the JSON config file (dots for nesting). */
  file: string;
  env: string;
  fallback: T;
  parse: Parser<T>;
}

const integer =
  (min: number, max: number): Parser<number> =>
  (raw, label) => {
    const n = typeof raw === "number" ? raw : typeof raw === "string" && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`${label} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return n;
  };

const oneOf =
  <T extends string>(values: readonly T[]): Parser<T> =>
  (raw, label) => {
    if (typeof raw !== "string" || !values.includes(raw as T)) throw new Error(`${label} must be one of ${values.join(", ")}, got ${JSON.stringify(raw)}`);
    return raw as T;
  };

const text =
  (pattern: RegExp, describe: string): Parser<string> =>
  (raw, label) => {
    if (typeof raw !== "string" || !pattern.test(raw)) throw new Error(`${label} must be ${describe}`);
    return raw;
  };

// A hostname or an IPv4/IPv6 literal; nothing that could smuggle a path or a port.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:.]{2,45})$/;

const NAME_LIST = /^(?:(?:\*\.)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:.]{2,45})(?:,(?=.)|$))*$/;
const PROXY_LIST = /^(?:[0-9A-Fa-f:.]{2,45}(?:\/\d{1,3})?(?:,(?=.)|$))*$/;

const bootstrapList: Parser<BootstrapNode[]> = (raw, label) => {
  if (typeof raw !== "string") throw new Error(`${label} must be text: id@address:port separated by commas, or none`);
  try {
    return parseBootstrapList(raw);
  } catch (err) {
    throw new Error(`${label}: ${(err as Error).message} (expected id@address:port separated by commas, or none)`);
  }
};

const superNode: Parser<BootstrapNode | null> = (raw, label) => {
  if (raw === "none") return null;
  const [node] = bootstrapList(raw, label);
  if (!node || String(raw).includes(",")) throw new Error(`${label} must be one id@address:port, or none`);
  return node;
};

const portRange: Parser<[number, number]> = (raw, label) => {
  const m = typeof raw === "string" ? /^(\d{4,5})-(\d{4,5})$/.exec(raw) : null;
  const [from, to] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!m || from <= 1024 || to > 65535 || from > to) throw new Error(`${label} must be a range of ports above 1024, such as 25000-30000`);
  return [from, to];
};

const flag: Parser<boolean> = (raw, label) => {
  if (raw === true || raw === "true") return true;
  if (raw === false || raw === "false") return false;
  throw new Error(`${label} must be true or false, got ${JSON.stringify(raw)}`);
};

const portOrNone: Parser<number | null> = (raw, label) => (raw === "none" ? null : integer(0, 65535)(raw, `${label} (or none)`));

const KIB = 1024;
const MIB = 1024 * KIB;

const SETTINGS = {
  host: { file: "host", env: "PC2_HOST", fallback: "127.0.0.1", parse: text(HOST, "a hostname or an IP address") },
  port: { file: "port", env: "PC2_PORT", fallback: 4200, parse: integer(0, 65535) },
  hostNames: { file: "hostNames", env: "PC2_HOST_NAMES", fallback: "", parse: text(NAME_LIST, "host names or addresses separated by commas (e.g. pc2.example.com,*.pc2.example.com)") },
  trustedProxies: { file: "trustedProxies", env: "PC2_TRUSTED_PROXIES", fallback: "", parse: text(PROXY_LIST, "IP addresses or CIDR ranges separated by commas (e.g. 127.0.0.1,10.0.0.0/8)") },
  dataDir: { file: "dataDir", env: "PC2_DATA_DIR", fallback: "./data", parse: text(/^[^\0]+$/, "a directory path") },
  nodeName: { file: "nodeName", env: "PC2_NODE_NAME", fallback: "PC2", parse: text(/^[^\0-\x1f\x7f]{1,64}$/, "1 to 64 printable characters") },
  logLevel: { file: "log.level", env: "PC2_LOG_LEVEL", fallback: "info", parse: oneOf(["debug", "info", "warn", "error"] as const) },
  logFormat: { file: "log.format", env: "PC2_LOG_FORMAT", fallback: "auto", parse: oneOf(["auto", "json", "pretty"] as const) },
  setupCode: { file: "setupCode", env: "PC2_SETUP_CODE", fallback: "", parse: text(/^(?:|[\x21-\x7e]{8,128})$/, "8 to 128 printable characters without spaces") },
  maxJsonBodyBytes: { file: "limits.maxJsonBodyBytes", env: "PC2_MAX_JSON_BODY_BYTES", fallback: MIB, parse: integer(KIB, 64 * MIB) },
  shutdownTimeoutMs: { file: "shutdownTimeoutMs", env: "PC2_SHUTDOWN_TIMEOUT_MS", fallback: 10_000, parse: integer(100, 600_000) },
  sessionMaxAgeHours: { file: "sessions.maxAgeHours", env: "PC2_SESSION_MAX_AGE_HOURS", fallback: 168, parse: integer(1, 24 * 365) },
  sessionIdleHours: { file: "sessions.idleHours", env: "PC2_SESSION_IDLE_HOURS", fallback: 24, parse: integer(1, 24 * 365) },
  terminalShell: { file: "terminal.shell", env: "PC2_TERMINAL_SHELL", fallback: "/bin/bash", parse: text(/^\/[^\0]{1,255}$/, "an absolute path to a shell") },
  terminalMaxSessions: { file: "terminal.maxSessions", env: "PC2_TERMINAL_MAX_SESSIONS", fallback: 3, parse: integer(1, 50) },
  terminalIdleMinutes: { file: "terminal.idleMinutes", env: "PC2_TERMINAL_IDLE_MINUTES", fallback: 30, parse: integer(1, 24 * 60) },
  wasmWorkers: { file: "wasm.workers", env: "PC2_WASM_WORKERS", fallback: 2, parse: integer(1, 64) },
  wasmIdleSeconds: { file: "wasm.idleSeconds", env: "PC2_WASM_IDLE_SECONDS", fallback: 600, parse: integer(5, 86_400) },
  ipfsIdleSeconds: { file: "files.ipfsIdleSeconds", env: "PC2_IPFS_IDLE_SECONDS", fallback: 600, parse: integer(5, 86_400) },
  wasmMaxQueue: { file: "wasm.maxQueue", env: "PC2_WASM_MAX_QUEUE", fallback: 64, parse: integer(0, 10_000) },
  aiThreads: { file: "ai.threads", env: "PC2_AI_THREADS", fallback: Math.max(1, navigator.hardwareConcurrency - 1), parse: integer(1, 256) },
  aiMaxConcurrent: { file: "ai.maxConcurrent", env: "PC2_AI_MAX_CONCURRENT", fallback: 1, parse: integer(1, 64) },
  aiMaxQueue: { file: "ai.maxQueue", env: "PC2_AI_MAX_QUEUE", fallback: 8, parse: integer(0, 1000) },
  aiMaxTokens: { file: "ai.maxTokens", env: "PC2_AI_MAX_TOKENS", fallback: 1024, parse: integer(1, 32768) },
  aiContextSize: { file: "ai.contextSize", env: "PC2_AI_CONTEXT_SIZE", fallback: 4096, parse: integer(256, 131072) },
  aiTimeoutSeconds: { file: "ai.timeoutSeconds", env: "PC2_AI_TIMEOUT_SECONDS", fallback: 300, parse: integer(1, 3600) },
  aiOllamaStores: {
    file: "ai.ollamaStores",
    env: "PC2_AI_OLLAMA_STORES",
    fallback: `${process.env.HOME ?? "/root"}/.ollama/models:/usr/share/ollama/.ollama/models`,
    parse: text(/^[^\0]*$/, "directories separated by :"),
  },
  aiOllamaHost: { file: "ai.ollamaHost", env: "PC2_AI_OLLAMA_HOST", fallback: "http://127.0.0.1:11434", parse: text(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, "an http(s) URL") },
  wsMaxMessageBytes: { file: "ws.maxMessageBytes", env: "PC2_WS_MAX_MESSAGE_BYTES", fallback: MIB, parse: integer(KIB, 64 * MIB) },
  wsHeartbeatIntervalMs: { file: "ws.heartbeatIntervalMs", env: "PC2_WS_HEARTBEAT_MS", fallback: 30_000, parse: integer(100, 3_600_000) },
  wsSendBufferLimitBytes: { file: "ws.sendBufferLimitBytes", env: "PC2_WS_SEND_BUFFER_BYTES", fallback: 4 * MIB, parse: integer(16 * KIB, 256 * MIB) },
  wsMaxSubscriptions: { file: "ws.maxSubscriptions", env: "PC2_WS_MAX_SUBSCRIPTIONS", fallback: 64, parse: integer(1, 10_000) },
  wsMaxInFlight: { file: "ws.maxInFlight", env: "PC2_WS_MAX_IN_FLIGHT", fallback: 32, parse: integer(1, 10_000) },
  wsMaxConnectionsPerUser: { file: "ws.maxConnectionsPerUser", env: "PC2_WS_MAX_CONNECTIONS_PER_USER", fallback: 16, parse: integer(1, 10_000) },
  networkMode: { file: "network.mode", env: "PC2_NETWORK_MODE", fallback: "node", parse: oneOf(["node", "super"] as const) },
  networkPort: { file: "network.port", env: "PC2_NETWORK_PORT", fallback: 39001, parse: integer(0, 65535) },
  networkIpv4: { file: "network.ipv4", env: "PC2_NETWORK_IPV4", fallback: "0.0.0.0", parse: text(/^(?:off|\d{1,3}(?:\.\d{1,3}){3})$/, "an IPv4 address to bind, or off") },
  networkIpv6: { file: "network.ipv6", env: "PC2_NETWORK_IPV6", fallback: "off", parse: text(/^(?:off|[0-9A-Fa-f:]{2,39})$/, "an IPv6 address to bind, or off") },
  networkBootstrap: { file: "network.bootstrap", env: "PC2_NETWORK_BOOTSTRAP", fallback: DEFAULT_BOOTSTRAP, parse: bootstrapList },
  networkDevelopmentMode: { file: "network.developmentMode", env: "PC2_NETWORK_DEVELOPMENT_MODE", fallback: false, parse: flag },
  networkSuperNode: { file: "network.superNode", env: "PC2_NETWORK_SUPER_NODE", fallback: "none", parse: superNode },
  networkProxyPort: { file: "network.proxy.port", env: "PC2_NETWORK_PROXY_PORT", fallback: 8090, parse: integer(0, 65535) },
  networkProxyPorts: { file: "network.proxy.ports", env: "PC2_NETWORK_PROXY_PORTS", fallback: "25000-30000", parse: portRange },
  networkProxyAllow: {
    file: "network.proxy.allow",
    env: "PC2_NETWORK_PROXY_ALLOW",
    fallback: "",
    parse: text(/^(?:[1-9A-HJ-NP-Za-km-z]{43,44}(?:,(?=.)|$))*$/, "Node IDs separated by commas (empty: any node that proves its key)"),
  },
  networkProxyNodeMbits: { file: "network.proxy.nodeMbits", env: "PC2_NETWORK_PROXY_NODE_MBITS", fallback: 100, parse: integer(0, 100_000) },
  networkGatewayDomain: {
    file: "network.gateway.domain",
    env: "PC2_NETWORK_GATEWAY_DOMAIN",
    fallback: "none",
    parse: text(
      /^(?:none|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)$/,
      "a DNS domain in lowercase whose wildcard points at this super node (pc2.example), or none",
    ),
  },
  functionsDomain: {
    file: "functions.domain",
    env: "PC2_FUNCTIONS_DOMAIN",
    fallback: "none",
    parse: text(
      /^(?:none|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)$/,
      "a DNS domain in lowercase whose wildcard points at this node (fn.example.com: functions answer at <subdomain>.fn.example.com), or none",
    ),
  },
  networkGatewayPort: { file: "network.gateway.port", env: "PC2_NETWORK_GATEWAY_PORT", fallback: 8091, parse: integer(0, 65535) },
  networkGatewayTlsPort: { file: "network.gateway.tlsPort", env: "PC2_NETWORK_GATEWAY_TLS_PORT", fallback: "none", parse: portOrNone },
  networkGatewayClaimsPerMinute: { file: "network.gateway.claimsPerMinute", env: "PC2_NETWORK_GATEWAY_CLAIMS_PER_MINUTE", fallback: 5, parse: integer(1, 10_000) },
  networkGatewayUrl: {
    file: "network.gateway.url",
    env: "PC2_NETWORK_GATEWAY_URL",
    fallback: "none",
    parse: text(/^(?:none|https?:\/\/[A-Za-z0-9.\-]+(?::\d{1,5})?|https?:\/\/\[[0-9A-Fa-f:]+\](?::\d{1,5})?)$/, "the name gateway's http(s)://host[:port], or none"),
  },
  tlsMode: { file: "tls.mode", env: "PC2_TLS_MODE", fallback: "auto", parse: oneOf(["auto", "off", "self-signed", "files", "acme"] as const) },
  tlsMinVersion: { file: "tls.minVersion", env: "PC2_TLS_MIN_VERSION", fallback: "1.3", parse: oneOf(["1.3", "1.2"] as const) },
  tlsCertFile: { file: "tls.certFile", env: "PC2_TLS_CERT_FILE", fallback: "", parse: text(/^[^\0]*$/, "a file path") },
  tlsKeyFile: { file: "tls.keyFile", env: "PC2_TLS_KEY_FILE", fallback: "", parse: text(/^[^\0]*$/, "a file path") },
  tlsAcmeDirectory: {
    file: "tls.acme.directory",
    env: "PC2_TLS_ACME_DIRECTORY",
    fallback: "https://acme-v02.api.letsencrypt.org/directory",
    parse: text(/^https:\/\/[^\s]+$/, "the ACME directory's https:// URL"),
  },
  tlsAcmeEmail: { file: "tls.acme.email", env: "PC2_TLS_ACME_EMAIL", fallback: "", parse: text(/^(?:|[^\s@]{1,64}@[^\s@]{1,255})$/, "an e-mail address, or empty") },
  tlsAcmeCaFile: { file: "tls.acme.caFile", env: "PC2_TLS_ACME_CA_FILE", fallback: "", parse: text(/^[^\0]*$/, "a file path") },
  updateManifestUrl: {
    file: "update.manifestUrl",
    env: "PC2_UPDATE_MANIFEST_URL",
    fallback: "none",
    parse: text(
      /^(?:none|https:\/\/[^\s]+|http:\/\/(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(?::\d{1,5})?\/[^\s]*)$/,
      "the release manifest's https:// URL (http:// only on loopback), or none",
    ),
  },
  updatePublicKey: {
    file: "update.publicKey",
    env: "PC2_UPDATE_PUBLIC_KEY",
    fallback: BUILT_RELEASE_KEY ?? "none",
    parse: text(/^(?:none|[1-9A-HJ-NP-Za-km-z]{43,44})$/, "the release publisher's public key (base58), or none"),
  },
  updateChannel: { file: "update.channel", env: "PC2_UPDATE_CHANNEL", fallback: "stable", parse: text(/^[a-z0-9-]{1,20}$/, "a channel name (stable, beta, …)") },
  updateTrialSeconds: { file: "update.trialSeconds", env: "PC2_UPDATE_TRIAL_SECONDS", fallback: 180, parse: integer(2, 3600) },
  // auto: "exit" under systemd (it sets INVOCATION_ID; the unit restarts on 75), "spawn" otherwise.
  updateRestart: { file: "update.restart", env: "PC2_UPDATE_RESTART", fallback: "auto", parse: oneOf(["auto", "exit", "spawn"] as const) },
  tlsAcmeNames: {
    file: "tls.acme.names",
    env: "PC2_TLS_ACME_NAMES",
    fallback: "",
    parse: text(
      /^(?:(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:,(?=.)|$))*$/,
      "DNS names in lowercase separated by commas (no wildcards: HTTP-01 cannot prove them)",
    ),
  },
  tlsRedirectPort: { file: "tls.redirectPort", env: "PC2_TLS_REDIRECT_PORT", fallback: "none", parse: portOrNone },
  networkMaxRecords: { file: "network.maxRecords", env: "PC2_NETWORK_MAX_RECORDS", fallback: 20_000, parse: integer(16, 10_000_000) },
} satisfies Record<string, Setting<any>>;

type Values = { [K in keyof typeof SETTINGS]: ReturnType<(typeof SETTINGS)[K]["parse"]> };

/** The settings table, for docs and `pc2 help`: env name, file key, default. */
export function describeSettings(): { env: string; file: string; fallback: unknown }[] {
  return Object.values(SETTINGS).map(({ env, file, fallback }) => ({ env, file, fallback }));
}

function lookup(obj: Record<string, unknown>, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split(".")) {
    if (cur === null || typeof cur !== "object" || !(part in cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Every leaf key of the file, to report the ones we do not know (a typo should not pass silently). */
function leafKeys(obj: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (v !== null && typeof v === "object" && !Array.isArray(v) ? leafKeys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

function readConfigFile(path: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    problems.push(`PC2_CONFIG: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return {};
  }
  try {
    const parsed = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("the top level must be an object");
    return parsed;
  } catch (err) {
    problems.push(`PC2_CONFIG: ${path} is not valid JSON (${(err as Error).message})`);
    return {};
  }
}

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Whether stdout is a terminal, for the "auto" log format. */
  isTTY?: boolean;
}

/** Read, validate and freeze the configuration. Throws ConfigError listing every problem at once. */
export function loadConfig({ env = process.env, cwd = process.cwd(), isTTY = false }: LoadConfigOptions = {}): Config {
  const problems: string[] = [];
  const configFile = env.PC2_CONFIG ? resolve(cwd, env.PC2_CONFIG) : null;
  const file = configFile ? readConfigFile(configFile, problems) : {};

  const known = new Set(Object.values(SETTINGS).map((s) => s.file));
  for (const key of leafKeys(file)) if (!known.has(key)) problems.push(`config file: unknown setting "${key}"`);

  const values = {} as Record<string, unknown>;
  for (const [name, setting] of Object.entries(SETTINGS) as [string, Setting<unknown>][]) {
    const fromEnv = env[setting.env];
    const fromFile = lookup(file, setting.file);
    const [raw, label] = fromEnv !== undefined && fromEnv !== "" ? [fromEnv, setting.env] : fromFile !== undefined ? [fromFile, `config file "${setting.file}"`] : [setting.fallback, setting.env];
    try {
      values[name] = setting.parse(raw, label);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  const v = values as Values;
  // Linux binds "::" dual-stack: it takes the IPv4 port too, so the two sockets would clash.
  if (v.networkIpv6 === "::" && v.networkIpv4 === "0.0.0.0")
    problems.push('PC2_NETWORK_IPV6 "::" also listens for IPv4 on the same port and clashes with PC2_NETWORK_IPV4 0.0.0.0: give a specific IPv6 address, or set PC2_NETWORK_IPV4=off');
  const tlsMode = v.tlsMode === "auto" ? (isLoopbackHost(v.host) ? "off" : "self-signed") : v.tlsMode;
  if (tlsMode === "off" && v.host !== undefined && !isLoopbackHost(v.host))
    problems.push(
      `PC2_TLS_MODE off would send wallet sessions in clear text over the network: it is allowed only when PC2_HOST is a loopback address (127.0.0.1, ::1), for example behind a reverse proxy on this machine; PC2_HOST is ${v.host}`,
    );
  if (tlsMode === "files" && (!v.tlsCertFile || !v.tlsKeyFile)) problems.push("PC2_TLS_MODE files needs both PC2_TLS_CERT_FILE and PC2_TLS_KEY_FILE");
  if (tlsMode !== "files" && (v.tlsCertFile || v.tlsKeyFile)) problems.push("PC2_TLS_CERT_FILE and PC2_TLS_KEY_FILE are used only with PC2_TLS_MODE files");
  if (tlsMode === "off" && v.tlsRedirectPort !== null && v.tlsRedirectPort !== undefined)
    problems.push("PC2_TLS_REDIRECT_PORT redirects to HTTPS: it needs TLS on (PC2_TLS_MODE self-signed, files or acme)");
  if (problems.length) throw new ConfigError(problems);

  const config: Config = {
    host: v.host,
    port: v.port,
    hostNames: v.hostNames
      .split(",")
      .filter(Boolean)
      .map((n) => n.toLowerCase()),
    trustedProxies: v.trustedProxies.split(",").filter(Boolean),
    functionsDomain: v.functionsDomain === "none" ? null : v.functionsDomain,
    dataDir: isAbsolute(v.dataDir) ? v.dataDir : resolve(cwd, v.dataDir),
    nodeName: v.nodeName,
    logLevel: v.logLevel,
    logFormat: v.logFormat === "auto" ? (isTTY ? "pretty" : "json") : v.logFormat,
    setupCode: v.setupCode === "" ? null : v.setupCode,
    maxJsonBodyBytes: v.maxJsonBodyBytes,
    shutdownTimeoutMs: v.shutdownTimeoutMs,
    sessionMaxAgeMs: v.sessionMaxAgeHours * 3_600_000,
    sessionIdleMs: v.sessionIdleHours * 3_600_000,
    ws: {
      maxMessageBytes: v.wsMaxMessageBytes,
      heartbeatIntervalMs: v.wsHeartbeatIntervalMs,
      sendBufferLimitBytes: v.wsSendBufferLimitBytes,
      maxSubscriptions: v.wsMaxSubscriptions,
      maxInFlight: v.wsMaxInFlight,
      maxConnectionsPerUser: v.wsMaxConnectionsPerUser,
    },
    terminal: { shell: v.terminalShell, maxPerUser: v.terminalMaxSessions, idleMs: v.terminalIdleMinutes * 60_000 },
    wasm: { workers: v.wasmWorkers, maxQueue: v.wasmMaxQueue, idleMs: v.wasmIdleSeconds * 1000 },
    ipfsIdleMs: v.ipfsIdleSeconds * 1000,
    ai: {
      threads: v.aiThreads,
      maxConcurrent: v.aiMaxConcurrent,
      maxQueue: v.aiMaxQueue,
      maxTokens: v.aiMaxTokens,
      contextSize: v.aiContextSize,
      timeoutMs: v.aiTimeoutSeconds * 1000,
      ollamaStores: v.aiOllamaStores
        .split(":")
        .filter(Boolean)
        .map((d) => resolve(cwd, d)),
      ollamaHost: v.aiOllamaHost.replace(/\/+$/, ""),
    },
    network: {
      mode: v.networkMode,
      port: v.networkPort,
      ipv4: v.networkIpv4 === "off" ? null : v.networkIpv4,
      ipv6: v.networkIpv6 === "off" ? null : v.networkIpv6,
      bootstrap: v.networkBootstrap,
      developmentMode: v.networkDevelopmentMode,
      maxRecords: v.networkMaxRecords,
      superNode: v.networkSuperNode,
      proxy: { port: v.networkProxyPort, portRange: v.networkProxyPorts, allow: v.networkProxyAllow.split(",").filter(Boolean), nodeMbits: v.networkProxyNodeMbits },
      gateway: {
        domain: v.networkGatewayDomain === "none" ? null : v.networkGatewayDomain,
        port: v.networkGatewayPort,
        tlsPort: v.networkGatewayTlsPort,
        url: v.networkGatewayUrl === "none" ? null : v.networkGatewayUrl,
        claimsPerMinute: v.networkGatewayClaimsPerMinute,
      },
    },
    tls: {
      mode: tlsMode,
      minVersion: v.tlsMinVersion,
      certFile: v.tlsCertFile ? resolve(cwd, v.tlsCertFile) : null,
      keyFile: v.tlsKeyFile ? resolve(cwd, v.tlsKeyFile) : null,
      redirectPort: v.tlsRedirectPort,
      acme: {
        directory: v.tlsAcmeDirectory,
        email: v.tlsAcmeEmail || null,
        caFile: v.tlsAcmeCaFile ? resolve(cwd, v.tlsAcmeCaFile) : null,
        names: v.tlsAcmeNames.split(",").filter(Boolean),
      },
    },
    update: {
      manifestUrl: v.updateManifestUrl === "none" ? null : v.updateManifestUrl,
      publicKey: v.updatePublicKey === "none" ? null : v.updatePublicKey,
      channel: v.updateChannel,
      trialMs: v.updateTrialSeconds * 1000,
      restart: v.updateRestart === "auto" ? (env.INVOCATION_ID ? "exit" : "spawn") : v.updateRestart,
    },
    configFile,
  };
  return deepFreeze(config);
}

/** 127.0.0.0/8, ::1 or localhost: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function deepFreeze<T extends object>(obj: T): T {
  for (const value of Object.values(obj)) if (value && typeof value === "object") deepFreeze(value);
  return Object.freeze(obj);
}
