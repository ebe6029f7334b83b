// The two small files that carry an update across restarts, both in <data>/updates/ and written
// atomically:
//   pending.json  an update (or rollback) staged by the running version and not yet settled: the
//                 next start tries the target in a trial and either switches to it or rolls back.
//                 Its presence is the one commit point of the handover.
//   outcome.json  how the last one ended (updated, or rolled back and why), for the Owner to read.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir, writeFileAtomic } from "../fs/atomic-write.ts";
import { durable } from "../fs/durable-steps.ts";

export interface PendingUpdate {
  kind: "update" | "rollback";
  /** The version that staged it, and runs the trial. */
  from: string;
  /** The version tried. */
  to: string;
  /** The database as it was when the update was staged: put back if the target fails. */
  snapshot: string;
  /** A rollback with the pre-update database: installed before the target's trial. */
  trialDatabase: string | null;
  stagedAt: string;
  /** Trials started so far (a trial cut off by a power cut or a kill counts). */
  attempts: number;
  /** Set when the target failed: the rollback under way (redone from the start if it is cut off). */
  failure: string | null;
}

export interface UpdateOutcome {
  kind: "update" | "rollback";
  from: string;
  to: string;
  /** "switched": the target runs now. "reverted": it failed its trial; `from` runs, with its database as it was. */
  result: "switched" | "reverted";
  reason: string | null;
  at: string;
  /** Recorded in the audit log (done by the node at its next start). */
  audited: boolean;
}

export const updatesDir = (dataDir: string) => join(dataDir, "updates");
const pendingFile = (dataDir: string) => join(updatesDir(dataDir), "pending.json");
const outcomeFile = (dataDir: string) => join(updatesDir(dataDir), "outcome.json");

function readJson<T>(path: string): T | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return null; // never half-written (atomic writes); unreadable means someone edited it: ignore it
  }
}

export const readPending = (dataDir: string) => readJson<PendingUpdate>(pendingFile(dataDir));
export const readOutcome = (dataDir: string) => readJson<UpdateOutcome>(outcomeFile(dataDir));

export function writePending(dataDir: string, p: PendingUpdate): void {
  ensurePrivateDir(updatesDir(dataDir));
  writeFileAtomic(pendingFile(dataDir), JSON.stringify(p));
}

export function clearPending(dataDir: string): void {
  if (!existsSync(pendingFile(dataDir))) return;
  rmSync(pendingFile(dataDir));
  durable.fsyncDir(updatesDir(dataDir));
}

export function writeOutcome(dataDir: string, o: UpdateOutcome): void {
  ensurePrivateDir(updatesDir(dataDir));
  writeFileAtomic(outcomeFile(dataDir), JSON.stringify(o));
}
