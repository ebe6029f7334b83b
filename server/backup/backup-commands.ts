// `pc2 backup create | verify | restore <dest>`: the backup commands, each its own process. <dest> is
// a folder, `node:<Node ID>` (a friend's node, reached through the Boson network), or — to read — a
// downloaded .tar archive. Create asks the running node to back itself up, or works alone holding
// the data-dir lock; verify and restore need only the destination and (without this machine's
// identity) the 12 words on stdin. Exit codes: 0 done, 1 failed, 3 the backup is refused (damaged,
// foreign, another phrase, a friend that says no).
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Config } from "../config.ts";
import { closeDatabase, databaseFile, openDatabase } from "../db/database.ts";
import { migrate } from "../db/migrate.ts";
import { AppError } from "../errors.ts";
import { formatBytes } from "../format-bytes.ts";
import { DataDirLock } from "../fs/data-dir-lock.ts";
import { askNode } from "../http/control-socket.ts";
import { KeyPair } from "../boson/keys.ts";
import { backupRecord, type BackupRecord, type BackupTarget, checkTarget, targetLabel } from "../services/backup/backup.service.ts";
import { parseNodeId } from "../services/backup/backup-hosting.ts";
import { IdentityStore } from "../services/identity/identity.store.ts";
import { checkPhrase } from "../services/identity/mnemonic.ts";
import { keysFromPhrase } from "../services/identity/node-id.ts";
import { ArchiveFileDestination } from "./archive-destination.ts";
import { backupKeysFromPhrase, backupKeysOf, type BackupKeys } from "./backup-keys.ts";
import { readSet, RestoreRefused, restoreBackup, verifyBackup } from "./backup-restore.ts";
import type { BackupDestination } from "./destination.ts";
import { backupAndPrune, folderDestination } from "./node-backup.ts";
import { reachPeerAlone } from "./reach-peer.ts";
import { sealPool } from "./seal-pool.ts";
import { BackupIntegrityError } from "./sealed-chunks.ts";
import { TarFormatError } from "./tar-archive.ts";

/** What the commands need from the CLI around them. */
export interface CliContext {
  config: () => Config;
  /** The 12 words, from the terminal or stdin. */
  readPhrase: () => Promise<string>;
  /** `pc2 storage check [--repair]` (the re-pin after a restore). */
  storageCheck: (repair: boolean, json: boolean) => Promise<number>;
}

/** Where a backup command reads or writes: a folder, a friend's node, or (to read) a saved download. */
export type CliTarget = BackupTarget | { kind: "archive"; file: string };

/** A destination as typed: `node:<Node ID>` (or `did:boson:<Node ID>`) for a friend's node, a .tar file (a download), else a folder. */
export function cliTarget(arg: string): CliTarget {
  const m = /^(?:node:|did:boson:)(.+)$/.exec(arg);
  if (m) return { kind: "node", nodeId: m[1]! };
  const path = resolve(arg);
  return existsSync(path) && statSync(path).isFile() ? { kind: "archive", file: path } : { kind: "folder", folder: path };
}

/** Open `target` for the node `nodeId` from this process: a folder, an archive, or the friend reached through the Boson network for a moment. */
async function openTarget(cli: CliContext, target: CliTarget, nodeId: string, signer: KeyPair): Promise<{ destination: BackupDestination; close: () => void }> {
  if (target.kind === "folder") return { destination: folderDestination(target.folder, nodeId), close: () => {} };
  if (target.kind === "archive") return { destination: new ArchiveFileDestination(target.file, nodeId), close: () => {} };
  const { destination, leave } = await reachPeerAlone(cli.config().network, signer, parseNodeId(target.nodeId));
  return { destination, close: leave };
}

/** What a backup command prints for an error it expects (a damaged set, a refusal, a friend that says no), or null. */
function expectedFailure(err: unknown): string | null {
  if (err instanceof BackupIntegrityError || err instanceof RestoreRefused || err instanceof AppError || err instanceof RangeError || err instanceof TarFormatError) return err.message;
  return null;
}

export async function backupCreate(cli: CliContext, target: CliTarget, json: boolean): Promise<number> {
  if (target.kind === "archive") {
    console.error(`pc2: ${target.file} is a file: back up into a folder or onto a friend's node (a single-file archive comes from Settings › Backups › Download)`);
    return 1;
  }
  const cfg = cli.config();
  // A running node backs itself up (consistent while it serves); otherwise this process does, holding the lock.
  const query = target.kind === "folder" ? `folder=${encodeURIComponent(target.folder)}` : `node=${encodeURIComponent(target.nodeId)}`;
  const answer = await askNode(join(cfg.dataDir, "pc2.sock"), `/backup/create?${query}`);
  if (answer && answer.status !== 200) {
    console.error(`pc2: the node could not back up: ${answer.body?.message ?? answer.status}`);
    return 1;
  }
  let record = answer?.body as BackupRecord | undefined;
  if (!record) {
    const file = databaseFile(cfg.dataDir);
    if (!existsSync(file)) {
      console.error(`pc2: no node in ${cfg.dataDir} to back up`);
      return 1;
    }
    const lock = new DataDirLock(cfg.dataDir);
    lock.acquire();
    const db = openDatabase(file);
    const at = new Date();
    try {
      migrate(db);
      const identity = new IdentityStore(cfg.dataDir).read();
      const secret = new Uint8Array(Buffer.from(identity.secretKey, "hex"));
      const checked = checkTarget(target, identity.nodeId);
      const opened = await openTarget(cli, checked, identity.nodeId, new KeyPair(secret));
      try {
        record = backupRecord(at, targetLabel(checked), await backupAndPrune({ db, dataDir: cfg.dataDir, nodeId: identity.nodeId, nodeSecretKey: secret, destination: opened.destination, now: at }));
      } finally {
        opened.close();
      }
    } catch (err) {
      if (expectedFailure(err) === null) throw err;
      record = backupRecord(at, target.kind === "folder" ? target.folder : `node ${target.nodeId}`, err as Error);
    } finally {
      closeDatabase(db);
      lock.release();
    }
  }
  if (json) console.log(JSON.stringify(record, null, 2));
  if (!record.ok) {
    console.error(`pc2: the backup failed: ${record.error}`);
    return 1;
  }
  if (!json)
    console.log(
      `Backup set ${record.set} in ${record.destination}: ${record.objects} objects, ${formatBytes(record.bytes)}; ${formatBytes(record.bytesWritten)} written; ${record.setsKept} sets kept.`,
    );
  return 0;
}

/** The backup keys and the node key: from this machine's identity when it has one, else from the phrase on stdin. */
async function backupKeysHere(cli: CliContext, dataDir: string): Promise<BackupKeys & { nodeId: string; signer: KeyPair }> {
  const store = new IdentityStore(dataDir);
  if (store.exists()) {
    const identity = store.read();
    const secret = new Uint8Array(Buffer.from(identity.secretKey, "hex"));
    return { ...(await backupKeysOf(secret)), nodeId: identity.nodeId, signer: new KeyPair(secret) };
  }
  return backupKeysFromPhraseWithSigner(checkPhrase(await cli.readPhrase()));
}

async function backupKeysFromPhraseWithSigner(phrase: string): Promise<BackupKeys & { nodeId: string; signer: KeyPair }> {
  return { ...(await backupKeysFromPhrase(phrase)), signer: new KeyPair(keysFromPhrase(phrase).secretKey) };
}

export async function backupVerify(cli: CliContext, target: CliTarget, json: boolean): Promise<number> {
  const keys = await backupKeysHere(cli, cli.config().dataDir);
  try {
    const opened = await openTarget(cli, target, keys.nodeId, keys.signer);
    try {
      const r = await verifyBackup(opened.destination, keys);
      if (json) console.log(JSON.stringify({ ok: true, ...r }, null, 2));
      else console.log(`Backup set ${r.set} of ${keys.nodeId} is whole: ${r.objects} objects, ${r.chunks} chunks, ${formatBytes(r.bytes)}; every chunk opened and every SHA-256 matched.`);
      return 0;
    } finally {
      opened.close();
    }
  } catch (err) {
    const problem = expectedFailure(err);
    if (problem === null) throw err;
    if (json) console.log(JSON.stringify({ ok: false, problem }, null, 2));
    console.error(`pc2: ${problem}`);
    return 3;
  }
}

export async function backupRestore(cli: CliContext, target: CliTarget, force: boolean): Promise<number> {
  const cfg = cli.config();
  const keys = await backupKeysFromPhraseWithSigner(checkPhrase(await cli.readPhrase()));
  try {
    const opened = await openTarget(cli, target, keys.nodeId, keys.signer);
    try {
      // What will be restored, before anything is written.
      const { name, manifest } = await readSet(opened.destination, keys);
      const total = manifest.objects.reduce((n, o) => n + o.size, 0);
      console.log(`Restoring backup set ${name} of ${keys.nodeId} (made ${manifest.createdAt}) from ${opened.destination.label}: ${manifest.objects.length} objects, ${formatBytes(total)}.`);
      const r = await restoreBackup({ destination: opened.destination, keys, setName: name, targetDir: cfg.dataDir, force });
      console.log(`Restored backup set ${r.set} of ${keys.nodeId} into ${cfg.dataDir}: ${r.objects} objects, ${formatBytes(r.bytes)}.`);
    } finally {
      opened.close();
    }
  } catch (err) {
    const problem = expectedFailure(err);
    if (problem === null) throw err;
    console.error(`pc2: ${problem}; nothing was restored`);
    return 3;
  }
  // The IPFS blockstore is not in backups: re-import and re-pin every file — without the sealing
  // worker and the restore's garbage alongside.
  sealPool.stop();
  Bun.gc(true);
  return cli.storageCheck(true, false);
}
