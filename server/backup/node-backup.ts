// Back up a node's data dir to a destination (a folder, a friend's node): the snapshot, the keys
// from the node key, the set. The same steps whether the node is running (its database handle and
// blob store hold the snapshot consistent while it serves) or stopped (the CLI holds the data-dir lock).
import { join } from "node:path";
import type { Database } from "../db/database.ts";
import { backupKeysOf } from "./backup-keys.ts";
import { type BackupStats, writeBackup } from "./backup-writer.ts";
import type { BackupDestination } from "./destination.ts";
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
  destination: BackupDestination;
  now?: Date;
}

/** A folder the Owner names: <folder>/pc2-backup/<Node ID>/ is created in it. It must be absolute. */
export function folderDestination(folder: string, nodeId: string): FolderDestination {
  if (!folder.startsWith("/") || folder.includes("\0")) throw new RangeError("the backup folder must be an absolute path");
  return new FolderDestination(folder, nodeId);
}

export async function backupNode(o: NodeBackupOptions): Promise<BackupStats> {
  const keys = await backupKeysOf(o.nodeSecretKey);
  // The last set, to skip re-reading unchanged immutable objects (a damaged or unreadable one: read everything).
  const previous = (await o.destination.listSets()).length
    ? await readSet(o.destination, { ...keys, nodeId: o.nodeId }).then(
        (r) => r.manifest,
        () => null,
      )
    : null;
  const snapshot = takeSnapshot({ db: o.db, dataDir: o.dataDir, tmpDir: join(o.dataDir, "tmp"), holdRemovals: o.holdRemovals ?? (() => () => {}) });
  try {
    return await writeBackup({ snapshot, keys, nodeId: o.nodeId, nodeSecretKey: o.nodeSecretKey, destination: o.destination, now: o.now, previous });
  } finally {
    snapshot.release();
  }
}

/** A backup, then pruning under `policy` in the same turn (what the node and `pc2 backup create` do). */
export async function backupAndPrune(o: NodeBackupOptions, policy: RetentionPolicy = DEFAULT_RETENTION): Promise<BackupStats & { setsKept: number; deletedChunks: number }> {
  const stats = await backupNode(o);
  const keys = { ...(await backupKeysOf(o.nodeSecretKey)), nodeId: o.nodeId };
  const pruned = await pruneBackups(o.destination, keys, policy);
  return { ...stats, setsKept: pruned.keptSets.length, deletedChunks: pruned.deletedChunks };
}
