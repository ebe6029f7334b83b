// The `pc2` command: start the node (default), identity, owner reset, storage, network, backup, update and service commands.
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { backupCreate, backupRestore, backupVerify, type CliContext, cliTarget } from "./backup/backup-commands.ts";
import { COMPILED } from "./build-constants.ts";
import { createLogger } from "./log.ts";
import { updateApply, updateCheck } from "./update/update-commands.ts";
import { installedRelease } from "./update/install-layout.ts";
import { restartInto } from "./update/restart.ts";
import { stageUpdate } from "./update/stage-update.ts";
import { settlePendingUpdate } from "./update/update-trial.ts";
import { writeOutcome } from "./update/pending-update.ts";
import { ServiceError, type ServiceOptions, serviceInstall, serviceStatus, serviceUninstall } from "./service/service-commands.ts";
import { formatBanner } from "./banner.ts";
import { ConfigError, describeSettings, loadConfig, type Config } from "./config.ts";
import { closeDatabase, databaseFile, openDatabase } from "./db/database.ts";
import { migrate } from "./db/migrate.ts";
import { DataDirLock } from "./fs/data-dir-lock.ts";
import { Pc2Node, type NodeOptions } from "./node.ts";
import { AuditRepository } from "./services/audit/audit.repository.ts";
import { AuditService } from "./services/audit/audit.service.ts";
import { resetOwner } from "./services/auth/owner-reset.ts";
import { blobSourceOfCid } from "./services/files/blob-of-cid.ts";
import { InlineBlobs } from "./services/files/inline-blobs.ts";
import { BlobStore } from "./services/files/blob-store.ts";
import { FilesRepository } from "./services/files/files.repository.ts";
import { IpfsClient } from "./services/files/ipfs.client.ts";
import { checkStorage, isClean, type StorageReport } from "./services/files/storage-check.ts";
import { UsersRepository } from "./services/auth/users.repository.ts";
import { recoverIdentity } from "./services/identity/identity.service.ts";
import { IdentityStore } from "./services/identity/identity.store.ts";
import { SetupRepository } from "./services/setup/setup.repository.ts";
import { VERSION } from "./services/system/system.service.ts";
import { askNode } from "./http/control-socket.ts";
import { REMOTE_USAGE, RemoteUsageError, runRemote } from "../client/remote-cli.ts";
import { formatLookup, formatNetworkStatus } from "./services/network/network-text.ts";

const USAGE = `Usage: pc2 [command]

Commands:
  start                      Start the node (the default)
  identity show [--json]     Print this node's Node ID, DID and public key
  identity recover [--force] Rebuild the node identity from its 12-word recovery phrase (read from stdin)
  owner reset                Remove the Owner (lost wallet) and print a new one-time setup code
  storage check [--repair] [--deep]  Check that the file index, the files on disk and the IPFS pins agree
                             (node stopped); --deep also reads every file back through IPFS, block by block
  network status [--json]    Ask the running node about its place on the Boson network
  network lookup <nodeId> [--json]  Find a node on the Boson network by its Node ID (or did:boson:…)
  backup create <dest>       Back up this node (asks the running node, or works alone). <dest> is a folder
                             (<folder>/pc2-backup/<Node ID>/ is used) or node:<Node ID>, a friend's node that
                             granted this node an allowance (found through the Boson network); verify and
                             restore also read a downloaded .tar archive
  backup verify <dest>       Read the latest backup set back and check every chunk and object (phrase on stdin when
                             this machine has no identity)
  backup restore <dest> [--force]  Restore the latest set into PC2_DATA_DIR from <dest> and the 12-word phrase
                             (read from stdin); refuses a data dir that is not empty unless --force
  update check [--json]      Is a newer signed release published? (asks the running node, or checks alone; exit 3
                             when the published release is refused or the check fails)
  update apply               Install it: download, verify, back up, restart into it; rolled back by itself when
                             it does not become healthy (exit 0 updated, 3 not). An installed service only
  update rollback [--force]  Go back to the previous release (--force: also put back the pre-update database
                             when the update changed it, losing what changed since)
  service install [--user=pc2] [--binary=PATH] [--root=DIR] [--print]
                             Run this binary as a systemd service at boot (as root): a system user, the data dir,
                             the unit, enabled and started. --print shows the unit; --root=DIR installs into an image
  service uninstall          Stop and remove the service (the data dir and the user are kept)
  service status [--json]    Whether the service is installed, enabled and running
  fn deploy <dir> --name=<name> [--public] [--url=<node>]
                             Deploy a folder as an edge function (docs/functions.md) with the API token in
                             PC2_TOKEN (scope functions:deploy); --url defaults to this machine's node
  remote <url> <command>     Another node's files, WASM apps, AI and functions, with the API token in PC2_TOKEN:
                             files ls|put|get|mkdir|rm, wasm run, ai chat, fn deploy (docs/automation.md)
  version                    Print the version
  help                       Print this help

Settings (environment variable, or key in the JSON file named by PC2_CONFIG):
${describeSettings()
  .map(
    (s) =>
      `  ${s.env.padEnd(30)} ${s.file.padEnd(24)} default ${typeof s.fallback === "string" && s.fallback.length > 60 ? `${s.fallback.slice(0, 60)}… (see docs/operations.md)` : JSON.stringify(s.fallback)}`,
  )
  .join("\n")}
`;

class UsageError extends Error {}

/** This machine's node, as its own configuration says it listens (a wildcard address means loopback). */
function nodeUrl(cfg: Config): string {
  const host = cfg.host === "0.0.0.0" || cfg.host === "::" ? "127.0.0.1" : cfg.host;
  return `${cfg.tls.mode === "off" ? "http" : "https"}://${host.includes(":") ? `[${host}]` : host}:${cfg.port}`;
}

function config(): Config {
  return loadConfig({ env: process.env, cwd: process.cwd(), isTTY: Boolean(process.stdout.isTTY) });
}

async function start(options: NodeOptions): Promise<number> {
  const cfg = config();
  const log = options.log ?? createLogger({ level: cfg.logLevel, format: cfg.logFormat });
  // Started as a new release's trial by the version that staged it (update-trial.ts): stop when it goes.
  const trial = process.env.PC2_UPDATE_TRIAL ?? null;
  const installed = COMPILED && trial === null && installedRelease(cfg.dataDir, process.execPath) === VERSION;
  if (installed) {
    const settled = await settlePendingUpdate({ dataDir: cfg.dataDir, running: VERSION, trialMs: cfg.update.trialMs, stopMs: cfg.shutdownTimeoutMs, log });
    if (settled === "restart") return restartInto(cfg.update.restart, cfg.dataDir);
  }
  const node = new Pc2Node(cfg, { ...options, log });
  // Handlers go in before anything else, so a signal during start-up still stops the node cleanly.
  let signals = 0;
  const onSignal = (signal: string) => {
    if (++signals > 1) process.exit(130); // a second Ctrl-C means "now"
    node.stop(signal).then(
      () => process.exit(0),
      (err) => {
        console.error("pc2: error while stopping:", err);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));

  if (trial !== null) void watchStdinEnd().then(() => onSignal("the update trial ended"));

  const started = await node.start();
  // An update or rollback: stop taking work, finish what is in flight, stage it, restart into it.
  node.services.updates.setHandover(async (h) => {
    await node.stop(h.kind);
    try {
      stageUpdate(cfg.dataDir, VERSION, h);
    } catch (err) {
      // Nothing staged: the same version starts again, and the Owner reads why.
      const reason = `it could not be staged: ${(err as Error).message}`;
      log.error("update not staged", { to: h.to, reason });
      writeOutcome(cfg.dataDir, { kind: h.kind, from: VERSION, to: h.to, result: "reverted", reason, at: new Date().toISOString(), audited: false });
    }
    process.exit(restartInto(cfg.update.restart, cfg.dataDir));
  });
  const network = node.services.network.status();
  const relay = network.enabled && network.relay.client ? { superNode: network.relay.client.superNode, endpoint: network.publicEndpoint, name: network.publicName.url } : null;
  const cert = node.services.tls.status();
  const tls =
    cert.certificate && cert.mode !== "off" ? { mode: cert.mode, selfSigned: cert.certificate.selfSigned, fingerprint: cert.certificate.fingerprint, notAfter: cert.certificate.notAfter } : null;
  process.stdout.write(formatBanner({ url: started.url, version: VERSION, dataDir: node.config.dataDir, identity: started.identity, setup: started.setup, relay, tls }) + "\n");
  // Last line of start-up: supervisors and tests wait for it.
  node.ctx.log.info("listening", { url: started.url, nodeId: started.identity.nodeId });
  return new Promise<number>(() => {}); // runs until a signal
}

/** Resolves when stdin ends (the process that started this one is gone). */
async function watchStdinEnd(): Promise<void> {
  const reader = Bun.stdin.stream().getReader();
  while (!(await reader.read()).done);
}

function identityShow(json: boolean): number {
  const store = new IdentityStore(config().dataDir);
  if (!store.exists()) {
    console.error(`pc2: no identity yet in ${store.dir}; it is created when the node first starts`);
    return 1;
  }
  const r = store.read();
  const facts = { nodeId: r.nodeId, did: r.did, publicKey: r.publicKey, createdAt: r.createdAt, recoveryPhraseConfirmed: !r.mnemonic };
  if (json) console.log(JSON.stringify(facts, null, 2));
  else {
    console.log(`Node ID:    ${facts.nodeId}\nDID:        ${facts.did}\nPublic key: ${facts.publicKey}\nCreated:    ${facts.createdAt}`);
    console.log(`Recovery phrase: ${facts.recoveryPhraseConfirmed ? "confirmed by the Owner (not stored on this node)" : "not yet confirmed: the desktop shows it once"}`);
  }
  return 0;
}

async function readPhrase(): Promise<string> {
  if (process.stdin.isTTY) {
    process.stderr.write("Type the 12-word recovery phrase and press Enter: ");
    for await (const line of console) return line;
    return "";
  }
  return (await Bun.stdin.text()).slice(0, 4096);
}

async function identityRecover(force: boolean): Promise<number> {
  const cfg = config();
  const lock = new DataDirLock(cfg.dataDir);
  const store = new IdentityStore(cfg.dataDir);
  mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
  lock.acquire(); // refuses while the node runs on this data directory
  try {
    const { identity, replaced } = recoverIdentity(store, await readPhrase(), force);
    if (replaced) console.log(`Replaced identity ${replaced}.`);
    console.log(`Recovered identity.\nNode ID: ${identity.nodeId}\nDID:     ${identity.did}`);
    return 0;
  } finally {
    lock.release();
  }
}

/** `options` carries what the build decides, e.g. the desktop files embedded in the binary. */
/** Works whether or not the node is running: SQLite (WAL) lets both use the database. */
async function ownerReset(): Promise<number> {
  const file = databaseFile(config().dataDir);
  if (!existsSync(file)) {
    console.error(`pc2: no database at ${file}; start the node once first`);
    return 1;
  }
  const db = openDatabase(file);
  try {
    migrate(db);
    const { code, previousOwner } = await resetOwner(db, new SetupRepository(db), new UsersRepository(db), new AuditService(new AuditRepository(db)));
    console.log(previousOwner ? `Removed Owner ${previousOwner} (their sessions and tokens are revoked).` : "The node had no Owner.");
    console.log(`New setup code: ${code}\nSign in with a wallet and this code to become the Owner. It stays valid across restarts until used.`);
    return 0;
  } finally {
    closeDatabase(db);
  }
}

/** Needs the node stopped: a live upload's bytes would look like an orphan. */
async function storageCheck(repair: boolean, json: boolean, deep = false): Promise<number> {
  const cfg = config();
  const file = databaseFile(cfg.dataDir);
  if (!existsSync(file)) {
    console.error(`pc2: no database at ${file}; start the node once first`);
    return 1;
  }
  const lock = new DataDirLock(cfg.dataDir);
  lock.acquire();
  const db = openDatabase(file);
  const repo = new FilesRepository(db);
  const blobs = new BlobStore(join(cfg.dataDir, "files"), join(cfg.dataDir, "tmp"), new InlineBlobs(db));
  const ipfs = new IpfsClient(join(cfg.dataDir, "ipfs"), { locate: (root) => blobSourceOfCid(repo, blobs, root) });
  try {
    migrate(db);
    ipfs.start();
    const report = await checkStorage(repo, blobs, ipfs, repair, { deep });
    if (json) console.log(JSON.stringify(report, null, 2));
    else printReport(report);
    return isClean(report) || (repair && report.cidMismatches.length === 0 && report.sizeMismatches.length === 0) ? 0 : 3;
  } finally {
    await ipfs.stop();
    closeDatabase(db);
    lock.release();
  }
}

/** `pc2 service install | uninstall | status` (systemd; see server/service/). */
function serviceCommand(sub: "install" | "uninstall" | "status", valued: Map<string, string>, flags: Set<string>): number {
  const configFile = process.env.PC2_CONFIG ? resolve(process.env.PC2_CONFIG) : null;
  const o: ServiceOptions = {
    config: config(),
    configFile,
    user: valued.get("--user") ?? "pc2",
    binary: valued.has("--binary") ? resolve(valued.get("--binary")!) : COMPILED ? process.execPath : null,
    root: valued.has("--root") ? resolve(valued.get("--root")!) : null,
    print: flags.has("--print"),
  };
  try {
    if (sub === "status") {
      const s = serviceStatus(o);
      if (flags.has("--json")) console.log(JSON.stringify(s, null, 2));
      else console.log(s.installed ? `${s.unit}: ${s.enabled}, ${s.active}; data in ${s.dataDir}; ${s.url}` : `PC2 is not installed as a service (\`sudo pc2 service install\`)`);
      return s.installed ? 0 : 3;
    }
    const lines = sub === "install" ? serviceInstall(o) : serviceUninstall(o);
    for (const line of lines) console.log(line);
    return 0;
  } catch (err) {
    if (!(err instanceof ServiceError || err instanceof RangeError)) throw err;
    console.error(`pc2: ${err.message}`);
    return 1;
  }
}

async function networkCommand(route: string, json: boolean): Promise<number> {
  const answer = await askNode(join(config().dataDir, "pc2.sock"), route);
  if (!answer) {
    console.error(`pc2: no node is running on ${config().dataDir} (start it with \`pc2\`)`);
    return 1;
  }
  if (answer.status !== 200) {
    console.error(`pc2: ${answer.body.message} (${answer.body.code})`);
    return 1;
  }
  if (json) console.log(JSON.stringify(answer.body, null, 2));
  else console.log(route === "/network/status" ? formatNetworkStatus(answer.body) : formatLookup(answer.body));
  return 0;
}

function printReport(r: StorageReport): void {
  const lines: [string, string[]][] = [
    ["files whose bytes are missing", r.missingBlobs],
    ["files whose size on disk differs", r.sizeMismatches],
    ["files whose bytes no longer match their CID", r.cidMismatches],
    ["CIDs not pinned", r.unpinned],
    ["pins owed, made by the node at its next start", r.owedPins],
    ["blobs no file uses", r.orphanBlobs],
    ["pins no file uses", r.orphanPins],
    ["temp files from interrupted uploads", r.tempFiles],
    ["files IPFS cannot read back whole", r.unreadable],
    ["files imported before their leaves' places were recorded (not a fault)", r.unplaced],
  ];
  console.log(`Checked ${r.files} files.`);
  for (const [what, items] of lines) if (items.length) console.log(`  ${items.length} ${what}${r.repaired ? " (repaired)" : ""}: ${items.slice(0, 5).join(", ")}${items.length > 5 ? ", …" : ""}`);
  if (r.storedTwiceBytes > 0)
    console.log(`  ${(r.storedTwiceBytes / 1048576).toFixed(1)} MiB of file bytes ${r.repaired ? "were" : "are"} stored in IPFS a second time${r.repaired ? " (freed)" : "; --repair frees them"}`);
  console.log(isClean(r) ? "Index, disk and pins agree." : r.repaired ? "Repaired." : "Run `pc2 storage check --repair` to reconcile.");
}

export async function main(argv: string[], options: NodeOptions = {}): Promise<number> {
  // Another node, through the typed client (client/): its own arguments and flags.
  if (argv[0] === "remote") return runRemote(argv.slice(1), process.env);
  const args = argv.filter((a) => !a.startsWith("--"));
  const flags = new Set(argv.filter((a) => a.startsWith("--")));
  const known = new Set(["--force", "--json", "--help", "--repair", "--deep", "--print", "--public"]);
  const valued = new Map<string, string>();
  for (const f of flags) {
    const m = /^(--user|--binary|--root|--name|--url)=(.+)$/.exec(f);
    if (m) valued.set(m[1]!, m[2]!);
    else if (!known.has(f)) throw new UsageError(`unknown option ${f}`);
  }
  const [cmd = "start", sub] = args;

  if (flags.has("--help") || cmd === "help") return (console.log(USAGE), 0);
  if (cmd === "version" || cmd === "--version") return (console.log(VERSION), 0);
  if (cmd === "start" && args.length <= 1) return start(options);
  if (cmd === "identity" && sub === "show" && args.length === 2) return identityShow(flags.has("--json"));
  if (cmd === "identity" && sub === "recover" && args.length === 2) return identityRecover(flags.has("--force"));
  if (cmd === "owner" && sub === "reset" && args.length === 2) return ownerReset();
  if (cmd === "network" && sub === "status" && args.length === 2) return networkCommand("/network/status", flags.has("--json"));
  if (cmd === "network" && sub === "lookup" && args.length === 3) return networkCommand(`/network/lookup/${encodeURIComponent(args[2]!)}`, flags.has("--json"));
  if (cmd === "storage" && sub === "check" && args.length === 2) return storageCheck(flags.has("--repair"), flags.has("--json"), flags.has("--deep"));
  if (cmd === "fn" && sub === "deploy" && args.length === 3) {
    const name = valued.get("--name");
    if (!name) throw new UsageError("fn deploy needs --name=<name>");
    if (!process.env.PC2_TOKEN) return (console.error("pc2: set PC2_TOKEN to an API token with the functions:deploy scope (Settings › API tokens)"), 1);
    const url = valued.get("--url") ?? nodeUrl(config());
    return runRemote([url, "fn", "deploy", resolve(args[2]!), `--name=${name}`, ...(flags.has("--public") ? ["--public"] : [])], process.env);
  }
  if (cmd === "update" && sub === "check" && args.length === 2) return updateCheck(config, flags.has("--json"));
  if (cmd === "update" && sub === "apply" && args.length === 2) return updateApply(config, "/update/apply");
  if (cmd === "update" && sub === "rollback" && args.length === 2) return updateApply(config, flags.has("--force") ? "/update/rollback?force=1" : "/update/rollback");
  if (cmd === "service" && (sub === "install" || sub === "uninstall" || sub === "status") && args.length === 2) return serviceCommand(sub, valued, flags);
  const cli: CliContext = { config, readPhrase, storageCheck };
  if (cmd === "backup" && sub === "create" && args.length === 3) return backupCreate(cli, cliTarget(args[2]!), flags.has("--json"));
  if (cmd === "backup" && sub === "verify" && args.length === 3) return backupVerify(cli, cliTarget(args[2]!), flags.has("--json"));
  if (cmd === "backup" && sub === "restore" && args.length === 3) return backupRestore(cli, cliTarget(args[2]!), flags.has("--force"));
  throw new UsageError(`unknown command: ${args.join(" ")}`);
}

export async function runCli(argv: string[], options: NodeOptions = {}): Promise<never> {
  try {
    process.exit(await main(argv, options));
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`pc2: ${err.message}`);
      process.exit(2);
    }
    if (err instanceof UsageError) {
      console.error(`pc2: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (err instanceof RemoteUsageError) {
      console.error(`pc2: ${err.message === REMOTE_USAGE ? "" : `${err.message}\n\n`}${REMOTE_USAGE}`);
      process.exit(2);
    }
    console.error(`pc2: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
