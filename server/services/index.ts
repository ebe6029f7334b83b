// createServices: build each service with exactly what it needs, in dependency order.
import { DavService } from "./dav/dav.service.ts";
import { countBlocks } from "./metrics/block-count.ts";
import { MetricsService } from "./metrics/metrics.service.ts";
import { DavPropertiesRepository } from "./dav/dav-properties.repository.ts";
import { LockManager } from "./dav/dav-locks.ts";
import { readStoredFolder } from "./functions/stored-folder.ts";
import { FunctionsService } from "./functions/functions.service.ts";
import { FunctionLogStore } from "./functions/function-log-store.ts";
import { MAX_LOG_ENTRIES } from "./functions/function-telemetry.ts";
import { FunctionsRepository } from "./functions/functions.repository.ts";
import { outboundFetch } from "../net/outbound-fetch.ts";
import type { AppContext, Lifecycle, Services } from "../context.ts";
import { commitsOnDisk, databaseFile } from "../db/database.ts";
import { appliedVersions } from "../db/migrate.ts";
import { AuditRepository } from "./audit/audit.repository.ts";
import { AuditService } from "./audit/audit.service.ts";
import { ApiTokensService } from "./auth/api-tokens.service.ts";
import { NoncesRepository } from "./auth/nonces.repository.ts";
import { RateLimiter } from "./auth/rate-limiter.ts";
import { SessionsRepository } from "./auth/sessions.repository.ts";
import { SessionsService } from "./auth/sessions.service.ts";
import { SignInService } from "./auth/sign-in.service.ts";
import { TokensRepository } from "./auth/tokens.repository.ts";
import { UsersRepository } from "./auth/users.repository.ts";
import { UsersService } from "./auth/users.service.ts";
import { statfsSync } from "node:fs";
import { join } from "node:path";
import { blobSourceOfCid } from "./files/blob-of-cid.ts";
import { InlineBlobs } from "./files/inline-blobs.ts";
import { GroupCommit } from "../db/group-commit.ts";
import { BlobStore } from "./files/blob-store.ts";
import { FileWriter } from "./files/file-writer.ts";
import { OwedPins } from "./files/owed-pins.ts";
import { FilesRepository } from "./files/files.repository.ts";
import { FilesService } from "./files/files.service.ts";
import { TrashService } from "./files/trash.service.ts";
import { IpfsClient } from "./files/ipfs.client.ts";
import { ResumableUploads } from "./files/resumable-uploads.ts";
import { UploadsRepository } from "./files/uploads.repository.ts";
import { IdentityStore } from "./identity/identity.store.ts";
import { IdentityService } from "./identity/identity.service.ts";
import { SetupRepository } from "./setup/setup.repository.ts";
import { SetupService } from "./setup/setup.service.ts";
import { SystemService } from "./system/system.service.ts";
import { SettingsRepository } from "./settings/settings.repository.ts";
import { TerminalService } from "./terminal/terminal.service.ts";
import { AiRepository } from "./ai/ai.repository.ts";
import { AiService } from "./ai/ai.service.ts";
import { CloudProvider } from "./ai/cloud.provider.ts";
import { KeyVault } from "./ai/key-vault.ts";
import { LlamaEngine } from "./ai/llama-engine.ts";
import { llamaModule } from "./ai/llama-runtime.ts";
import { LocalProvider } from "./ai/local.provider.ts";
import { OllamaProvider } from "./ai/ollama.provider.ts";
import { SandboxPool } from "./wasm/sandbox-pool.ts";
import { appsInDir, type WasmApps } from "./wasm/sample-apps.ts";
import { WasmAppsRepository } from "./wasm/wasm-apps.repository.ts";
import { WasmFiles } from "./wasm/wasm-files.ts";
import { WasmRegistry } from "./wasm/wasm-registry.ts";
import { WASM_LIMITS, WasmService } from "./wasm/wasm.service.ts";
import { NetworkService } from "./network/network.service.ts";
import { TlsService } from "./tls/tls.service.ts";
import { BackupService } from "./backup/backup.service.ts";
import { BackupHosting } from "./backup/backup-hosting.ts";
import { BackupBrowser } from "./backup/backup-browser.ts";
import { UpdateApplier } from "./update/update-apply.ts";
import { UpdateService } from "./update/update.service.ts";
import { COMPILED } from "../build-constants.ts";
import { installedRelease } from "../update/install-layout.ts";
import { nodeNames } from "../tls/node-names.ts";
import { AcmeChallenges } from "../tls/acme-challenges.ts";

const MINUTE = 60_000;

/** What the build decides: where the sample WASM apps are (embedded in the binary, or on disk). */
export interface ServiceOptions {
  wasmApps?: WasmApps;
  /** In the single binary: the embedded zip of node-llama-cpp's runtime files. */
  llamaRuntime?: string;
}

export function createServices(ctx: AppContext, options: ServiceOptions = {}): Services {
  const { config, db, events, log } = ctx;
  const identity = new IdentityService(new IdentityStore(config.dataDir), events, log.child({ svc: "identity" }));
  const setup = new SetupService(new SetupRepository(db), config.setupCode, log.child({ svc: "setup" }));
  const system = new SystemService(config.nodeName, () => identity.info(), config.dataDir);
  const audit = new AuditService(new AuditRepository(db));

  const usersRepo = new UsersRepository(db);
  const tokensRepo = new TokensRepository(db);
  const sessions = new SessionsService(new SessionsRepository(db), tokensRepo, audit, events, { maxAgeMs: config.sessionMaxAgeMs, idleMs: config.sessionIdleMs });
  const signIn = new SignInService(
    db,
    new NoncesRepository(db),
    usersRepo,
    setup,
    sessions,
    audit,
    {
      challengePerClient: new RateLimiter(30, MINUTE),
      challengePerClientAddress: new RateLimiter(10, MINUTE),
      loginPerClient: new RateLimiter(20, MINUTE),
      loginPerClientAddress: new RateLimiter(10, MINUTE),
      setupCodeFailuresPerClient: new RateLimiter(10, 60 * MINUTE),
      setupCodeFailures: new RateLimiter(100, 60 * MINUTE),
    },
    events,
  );
  const users = new UsersService(usersRepo, audit, events);
  const tokens = new ApiTokensService(tokensRepo, audit, events);

  const filesRepo = new FilesRepository(db);
  const blobs = new BlobStore(join(config.dataDir, "files"), join(config.dataDir, "tmp"), new InlineBlobs(db));
  const ipfs = new IpfsClient(join(config.dataDir, "ipfs"), { idleMs: config.ipfsIdleMs, locate: (root) => blobSourceOfCid(filesRepo, blobs, root) });
  const pins = new OwedPins({ repo: filesRepo, blobs, ipfs, log: log.child({ svc: "pins" }) });
  const storage = { db, repo: filesRepo, blobs, ipfs, pins, indexOnDisk: commitsOnDisk(databaseFile(config.dataDir)), commits: new GroupCommit(db) };
  const files = new FilesService({
    ...storage,
    events,
    log: log.child({ svc: "files" }),
    disk: () => {
      const s = statfsSync(config.dataDir);
      return { free: s.bavail * s.bsize, total: s.blocks * s.bsize };
    },
  });
  const writer = new FileWriter(files, storage);
  const trash = new TrashService(files);
  const metrics = new MetricsService(events);
  const dav = new DavService({ db, files, writer, trash, props: new DavPropertiesRepository(db), locks: new LockManager() });
  const uploadsRepo = new UploadsRepository(db);
  const uploads = new ResumableUploads(uploadsRepo, files, writer, join(config.dataDir, "tmp"));
  // Everything a wallet makes the node store counts against its quota, not only its files.
  files.addUsageMeter("uploads", (owner) => uploadsRepo.reserved(owner));
  const settings = new SettingsRepository(db);
  const terminals = new TerminalService(config.terminal, settings, audit, log.child({ svc: "terminal" }));

  system.addCheck("database", () => {
    db.query("SELECT 1").get();
    return { status: "ok", schemaVersion: Math.max(0, ...appliedVersions(db)) };
  });
  system.addCheck("identity", () => ({ status: "ok", nodeId: identity.info().nodeId }));
  system.addCheck("ipfs", () => ({ status: storage.ipfs.healthy() ? "ok" : "down" }));

  // Sample apps are built from source into dist/wasm-apps (scripts/build-wasm-apps.ts).
  const samples = options.wasmApps ?? appsInDir(join(import.meta.dir, "..", "..", "dist", "wasm-apps"));
  const wasmAppsRepo = new WasmAppsRepository(db);
  files.addUsageMeter("wasmApps", (owner) => wasmAppsRepo.storedBytes(owner));
  const wasm = new WasmService(
    new SandboxPool(config.wasm.maxQueue, config.wasm.idleMs),
    new WasmRegistry(wasmAppsRepo, join(config.dataDir, "wasm-apps"), samples, WASM_LIMITS.maxModuleBytes, (owner, bytes, what) => files.reserve(owner, bytes, what)),
    new WasmFiles(files, writer, join(config.dataDir, "tmp", "wasm"), { maxInputFiles: 64, maxInputBytes: 256 * 1024 * 1024, maxOutputFiles: 256, maxOutputBytes: 256 * 1024 * 1024 }),
    config.wasm.workers,
    WASM_LIMITS,
    events,
  );

  const vault = new KeyVault(join(config.dataDir, "secrets"));
  const llama = new LlamaEngine(config.ai, () => llamaModule(options.llamaRuntime, config.dataDir));
  const aiRepo = new AiRepository(db);
  files.addUsageMeter("ai", (owner) => aiRepo.storedBytes(owner));
  const ai = new AiService(
    db,
    aiRepo,
    files,
    [
      new LocalProvider(llama, join(config.dataDir, "models"), config.ai.ollamaStores),
      new OllamaProvider(settings, vault, config.ai.ollamaHost),
      new CloudProvider(aiRepo, vault, (owner) => ((usersRepo.get(owner)?.role ?? "member") === "member" ? "public" : "lan")),
    ],
    { maxTokens: config.ai.maxTokens },
    events,
  );
  const functionsRepo = new FunctionsRepository(db);
  const functions = new FunctionsService({
    repo: functionsRepo,
    logStore: new FunctionLogStore(db, MAX_LOG_ENTRIES),
    vault,
    dataDir: config.dataDir,
    log: log.child({ svc: "functions" }),
    // A function reaches the internet only, unless the Owner lets one of theirs reach the LAN (outbound-fetch.ts).
    outbound: (reach) => outboundFetch(reach),
    events,
    readFolder: (owner, folder) => readStoredFolder(files, owner, folder),
    domain: config.functionsDomain,
  });
  const network = new NetworkService({ config: config.network, settings, db, keys: () => identity.bosonKeys(), dataDir: config.dataDir, events, log: log.child({ svc: "network" }) });
  system.addCheck("network", () => ({ status: "ok", state: network.currentState() }));
  const tls = new TlsService({
    config: config.tls,
    dataDir: config.dataDir,
    // With ACME, the self-signed certificate that serves until the CA's arrives covers the same names.
    // …and functions' own host names, when the node has a functions domain.
    selfSignedNames: (extra) => nodeNames({ listenHost: config.host, configured: [...config.hostNames, ...(config.functionsDomain ? [`*.${config.functionsDomain}`] : []), ...extra] }),
    settings,
    requiredNames: config.hostNames,
    nodeName: config.nodeName,
    challenges: new AcmeChallenges(),
    // An ACME certificate covers functions' own host names too (HTTP-01 reaches them: the domain's wildcard points here).
    functionHosts: () => (config.functionsDomain ? functionsRepo.subdomains().map((s) => `${s}.${config.functionsDomain}`) : []),
    events,
    log: log.child({ svc: "tls" }),
  });
  // Started in this order, stopped in reverse. The certificate first: a bad one stops the start before anything runs.
  const backup = new BackupService({
    db,
    dataDir: config.dataDir,
    blobs: storage.blobs,
    identity,
    settings,
    peerAddresses: (id) => network.peerAddresses(id),
    events,
    log: log.child({ svc: "backup" }),
  });
  const backupHosting = new BackupHosting({ db, dataDir: config.dataDir, keys: () => identity.bosonKeys(), log: log.child({ svc: "backup-hosting" }) });
  const backupBrowser = new BackupBrowser({ backup, files, writer, tmpDir: join(config.dataDir, "tmp"), log: log.child({ svc: "backup" }) });
  const applier = new UpdateApplier({
    dataDir: config.dataDir,
    installed: COMPILED ? installedRelease(config.dataDir, process.execPath) : null,
    backup,
    audit,
    schema: () => appliedVersions(db),
    log: log.child({ svc: "update" }),
  });
  const updates = new UpdateService({ config: config.update, dataDir: config.dataDir, applier, audit, log: log.child({ svc: "update" }) });
  metrics.gauge("terminal_sessions", "Terminal sessions open", () => terminals.count());
  metrics.gauge("wasm_queued_runs", "WASM runs waiting for a sandbox process", () => wasm.queued());
  metrics.gauge("ipfs_pinned_cids", "Distinct CIDs pinned for files", () => files.pinnedCids());
  metrics.gauge("ipfs_owed_pins", "Small files indexed whose IPFS pin is not yet made (made just after the answer)", () => filesRepo.owedPinCount());
  metrics.gauge(
    "ipfs_blocks",
    "Blocks stored in the IPFS blockstore: files' linking nodes (their leaves are read from the files); counted at most once a minute",
    countBlocks(join(config.dataDir, "ipfs", "blocks")),
  );
  metrics.gauge("disk_free_bytes", "Free bytes on the data disk", () => files.diskFree());
  const lifecycle: Lifecycle[] = [tls, identity, setup, files, uploads, terminals, wasm, functions, llama, network, backup, backupBrowser, updates];
  return {
    updates,
    backup,
    backupBrowser,
    backupHosting,
    blobs: storage.blobs,
    tls,
    identity,
    setup,
    system,
    audit,
    sessions,
    signIn,
    users,
    usersRepo,
    tokens,
    files,
    trash,
    writer,
    uploads,
    ipfs: storage.ipfs,
    pins: storage.pins,
    indexOnDisk: storage.indexOnDisk,
    terminals,
    wasm,
    functions,
    dav,
    metrics,
    ai,
    llama,
    network,
    lifecycle,
  };
}
