// Handing over to another release, the running version's last act (after the node has stopped):
// copy the database as it is, then write pending.json — the single commit point. A kill before it
// leaves nothing staged (the next start is the same version, as before); after it, the next start
// tries the target (update-trial.ts).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { databaseFile } from "../db/database.ts";
import { ensurePrivateDir } from "../fs/atomic-write.ts";
import { snapshotDatabase } from "./database-snapshot.ts";
import { releaseBinary } from "./install-layout.ts";
import { type PendingUpdate, updatesDir, writePending } from "./pending-update.ts";

export interface Handover {
  kind: "update" | "rollback";
  to: string;
  /** A rollback that puts back the pre-update database (the Owner confirmed losing later changes). */
  trialDatabase: string | null;
}

export function stageUpdate(dataDir: string, from: string, h: Handover, now = new Date()): PendingUpdate {
  if (!existsSync(releaseBinary(dataDir, h.to))) throw new Error(`releases/${h.to}/pc2 is missing`);
  ensurePrivateDir(updatesDir(dataDir));
  const snapshot = join(updatesDir(dataDir), `before-${h.to}.db`);
  snapshotDatabase(databaseFile(dataDir), snapshot);
  const pending: PendingUpdate = { kind: h.kind, from, to: h.to, snapshot, trialDatabase: h.trialDatabase, stagedAt: now.toISOString(), attempts: 0, failure: null };
  writePending(dataDir, pending);
  return pending;
}
