// What every part of the server may be handed: config, logger, event bus, database, services.
import type { DavService } from "./services/dav/dav.service.ts";
import type { MetricsService } from "./services/metrics/metrics.service.ts";
import type { Config } from "./config.ts";
import type { Database } from "./db/database.ts";
import type { EventBus } from "./events.ts";
import type { Logger } from "./log.ts";
import type { AuditService } from "./services/audit/audit.service.ts";
import type { ApiTokensService } from "./services/auth/api-tokens.service.ts";
import type { SessionsService } from "./services/auth/sessions.service.ts";
import type { SignInService } from "./services/auth/sign-in.service.ts";
import type { UsersRepository } from "./services/auth/users.repository.ts";
import type { UsersService } from "./services/auth/users.service.ts";
import type { FileWriter } from "./services/files/file-writer.ts";
import type { OwedPins } from "./services/files/owed-pins.ts";
import type { FilesService } from "./services/files/files.service.ts";
import type { IpfsClient } from "./services/files/ipfs.client.ts";
import type { TrashService } from "./services/files/trash.service.ts";
import type { ResumableUploads } from "./services/files/resumable-uploads.ts";
import type { IdentityService } from "./services/identity/identity.service.ts";
import type { SetupService } from "./services/setup/setup.service.ts";
import type { SystemService } from "./services/system/system.service.ts";
import type { TerminalService } from "./services/terminal/terminal.service.ts";
import type { AiService } from "./services/ai/ai.service.ts";
import type { LlamaEngine } from "./services/ai/llama-engine.ts";
import type { WasmService } from "./services/wasm/wasm.service.ts";
import type { FunctionsService } from "./services/functions/functions.service.ts";
import type { NetworkService } from "./services/network/network.service.ts";
import type { TlsService } from "./services/tls/tls.service.ts";
import type { BlobStore } from "./services/files/blob-store.ts";
import type { BackupService } from "./services/backup/backup.service.ts";
import type { BackupHosting } from "./services/backup/backup-hosting.ts";
import type { BackupBrowser } from "./services/backup/backup-browser.ts";
import type { UpdateService } from "./services/update/update.service.ts";

export interface AppContext {
  config: Config;
  log: Logger;
  events: EventBus;
  db: Database;
}

/** The one shape of a long-lived part of the node: started in order, stopped in reverse. */
export interface Lifecycle {
  start?(): unknown;
  stop?(): void | Promise<void>;
}

export interface Services {
  identity: IdentityService;
  setup: SetupService;
  system: SystemService;
  audit: AuditService;
  sessions: SessionsService;
  signIn: SignInService;
  users: UsersService;
  usersRepo: UsersRepository;
  tokens: ApiTokensService;
  files: FilesService;
  trash: TrashService;
  /** The IPFS worker's client (pins, garbage collection), for health and tests; files reach it through their service. */
  ipfs: IpfsClient;
  pins: OwedPins;
  /** Every database commit so far on the disk (an upload's answer waits for it). */
  indexOnDisk: () => Promise<void>;
  writer: FileWriter;
  /** Backups of this node (one at a time, into the Owner's folder). */
  backup: BackupService;
  /** Friends' nodes' backups kept here, under the allowances the Owner grants. */
  backupHosting: BackupHosting;
  /** Looking into backup sets and restoring single files or folders from them. */
  backupBrowser: BackupBrowser;
  /** Signed release checks (and, later, applying them). */
  updates: UpdateService;
  /** File bytes on disk (a backup holds their removals while it reads a snapshot). */
  blobs: BlobStore;
  uploads: ResumableUploads;
  terminals: TerminalService;
  wasm: WasmService;
  functions: FunctionsService;
  /** WebDAV over each user's own files. */
  dav: DavService;
  /** The Prometheus metrics at /metrics. */
  metrics: MetricsService;
  ai: AiService;
  /** The node on the Boson network (DHT). */
  network: NetworkService;
  /** The node's certificate and how its listener speaks TLS. */
  tls: TlsService;
  /** The built-in llama.cpp engine (stopped with the node). */
  llama: LlamaEngine;
  /** Everything with a start or a stop, in start order. */
  lifecycle: Lifecycle[];
}
