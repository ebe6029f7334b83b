// The systemd unit that runs PC2 at boot on a mini PC: as its own system user, restarted when it
// fails, confined to its data dir (everything else read-only or hidden), with no privileges but the
// one to bind a port under 1024 when it is configured to. The binary runs from the data dir
// (releases/current → releases/<version>/pc2), so an update swaps a link the service may write, and
// restarts by exiting with 75.

export interface UnitOptions {
  /** The absolute data dir: the only place the service may write. */
  dataDir: string;
  user: string;
  host: string;
  port: number;
  /** Other ports the node listens on (the TLS redirect port): one under 1024 needs the capability too. */
  otherPorts?: number[];
  /** The config file the node reads (PC2_CONFIG), if any. */
  configFile: string | null;
}

export const UNIT_NAME = "pc2.service";

/** Where the service's binary is: a link the installer (and an update) points at a release. */
export const currentBinary = (dataDir: string) => `${dataDir}/releases/current`;

const SAFE_PATH = /^\/[A-Za-z0-9._\-/]+$/;
const SAFE_USER = /^[a-z_][a-z0-9_-]{0,31}$/;
const SAFE_HOST = /^[A-Za-z0-9.:\-[\]]+$/;

/** The unit's text; refuses paths and names that would need quoting (spaces, quotes, %, newlines). */
export function systemdUnit(o: UnitOptions): string {
  for (const [what, path] of [["data dir", o.dataDir], ...(o.configFile ? ([["config file", o.configFile]] as const) : [])] as const) {
    if (!SAFE_PATH.test(path) || path.split("/").includes("..")) throw new RangeError(`the ${what} must be an absolute path of letters, digits and . _ - / (got ${JSON.stringify(path)})`);
  }
  if (!SAFE_USER.test(o.user)) throw new RangeError(`not a system user name: ${JSON.stringify(o.user)}`);
  if (!SAFE_HOST.test(o.host)) throw new RangeError(`not a host: ${JSON.stringify(o.host)}`);
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new RangeError(`not a port: ${o.port}`);
  const lowPort = [o.port, ...(o.otherPorts ?? [])].some((p) => p < 1024);
  return [
    "# Written by `pc2 service install`. Remove with `pc2 service uninstall`.",
    "[Unit]",
    "Description=PC2, a personal cloud computer",
    "After=network-online.target",
    "Wants=network-online.target",
    // Back after a crash or a failed start, without spinning: 5 tries in 2 minutes, then left stopped.
    "StartLimitIntervalSec=120",
    "StartLimitBurst=5",
    "",
    "[Service]",
    "Type=simple",
    `User=${o.user}`,
    `Group=${o.user}`,
    `ExecStart=${currentBinary(o.dataDir)} start`,
    `WorkingDirectory=${o.dataDir}`,
    `Environment=PC2_DATA_DIR=${o.dataDir}`,
    `Environment=PC2_HOST=${o.host}`,
    `Environment=PC2_PORT=${o.port}`,
    "Environment=PC2_LOG_FORMAT=json",
    ...(o.configFile ? [`Environment=PC2_CONFIG=${o.configFile}`] : []),
    // An update or rollback restarts PC2 by exiting with 75 (server/update/restart.ts): started again
    // at once, and not counted as a failure.
    "Environment=PC2_UPDATE_RESTART=exit",
    "Restart=on-failure",
    "RestartSec=5s",
    "RestartForceExitStatus=75",
    "SuccessExitStatus=75",
    // The node finishes in-flight requests on SIGTERM.
    "KillSignal=SIGTERM",
    "TimeoutStopSec=30s",
    "UMask=0077",
    "LimitNOFILE=65536",
    // Confinement: the data dir is the only writable place; home folders, devices, kernel knobs and
    // other users' processes are out of reach. (No MemoryDenyWriteExecute: the JavaScript JIT needs it.)
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    `ReadWritePaths=${o.dataDir}`,
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "ProtectClock=yes",
    "ProtectHostname=yes",
    "ProtectProc=invisible",
    "RestrictSUIDSGID=yes",
    "RestrictRealtime=yes",
    // Only the namespaces bubblewrap makes for an edge function's sandbox (docs/functions.md); no cgroup namespace.
    "RestrictNamespaces=user pid net mnt ipc uts",
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
    "LockPersonality=yes",
    "SystemCallArchitectures=native",
    ...(lowPort ? ["AmbientCapabilities=CAP_NET_BIND_SERVICE", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE"] : ["CapabilityBoundingSet="]),
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}
