// Back up a node's data dir into a folder: the snapshot, the keys from the node key, the set. The
// same steps whether the node is running (its database handle and blob store hold the snapshot
// consistent while it serves) or stopped (the CLI holds the data-dir lock).
import { join } from "node:path";
import type { Database } from "../db/database.ts";
import { backupKeysOf } from "./backup-keys.ts";
import { type BackupStats, writeBackup } from "./backup-writer.ts";
import { FolderDestination } from "./folder-destination.ts";
import { readSet } from "./backup-restore.ts";
import { DEFAULT_RETENTION, pruneBackups, type RetentionPolicy } from "./retention.ts";
import { takeSnapshot } from "./snapshot.ts";

export interface NodeBackupOptions {
  db: Database;
  dataDir: string;
  nodeId: string;
  nodeSecretKey: Uint8Array;
  /** The blob store's hold on removals; a stopped node has nothing to hold. */
  holdRemovals?: () => () => void;
  /** An absolute folder: <folder>/pc2-backup/<Node ID>/ is created in it. */
  folder: string;
  now?: Date;
}

export async function backupNodeToFolder(o: NodeBackupOptions): Promise<BackupStats & { folder: string }> {
  if (!o.folder.startsWith("/") || o.folder.includes("\0")) throw new RangeError("the backup folder must be an absolute path");
  const destination = new FolderDestination(o.folder, o.nodeId);
  const keys = await backupKeysOf(o.nodeSecretKey);
  // The last set, to skip re-reading unchanged immutable objects (a damaged or unreadable one: read everything).
  const previous = (await destination.listSets()).length
    ? await readSet(destination, { ...keys, nodeId: o.nodeId }).then(
        (r) => r.manifest,
        () => null,
      )
    : null;
  const snapshot = takeSnapshot({ db: o.db, dataDir: o.dataDir, tmpDir: join(o.dataDir, "tmp"), holdRemovals: o.holdRemovals ?? (() => () => {}) });
  try {
    const stats = await writeBackup({ snapshot, keys, nodeId: o.nodeId, nodeSecretKey: o.nodeSecretKey, destination, now: o.now, previous });
    return { ...stats, folder: destination.label };
  } finally {
    snapshot.release();
  }
}

/** A backup, then pruning under `policy` in the same turn (what the node and `pc2 backup create` do). */
export async function backupAndPrune(o: NodeBackupOptions, policy: RetentionPolicy = DEFAULT_RETENTION): Promise<BackupStats & { folder: string; setsKept: number; deletedChunks: number }> {
  const stats = await backupNodeToFolder(o);
  const keys = { ...(await backupKeysOf(o.nodeSecretKey)), nodeId: o.nodeId };
  const pruned = await pruneBackups(new FolderDestination(o.folder, o.nodeId), keys, policy);
  return { ...stats, setsKept: pruned.keptSets.length, deletedChunks: pruned.deletedChunks };
}
