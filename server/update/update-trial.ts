// Settling a staged update at start, before the node opens anything. The version that staged it
// (still what releases/current starts) runs the target as a child — its trial — and watches it:
//   - healthy within the limit (its control socket answers /health with the target's version):
//     the trial is stopped, releases/current (and previous) switch, and the process restarts into it;
//   - it exits first (a crash at start, a failed migration), or never becomes healthy: it is stopped,
//     the database is put back as it was staged, the reason is written for the Owner, and this
//     version starts as before.
// Every step can be cut off by a kill or a power cut; pending.json makes the next start finish the
// job (switch, or roll back), so the node always comes up on exactly one complete version.
import type { Subprocess } from "bun";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DataDirLock, DataDirLockedError } from "../fs/data-dir-lock.ts";
import { durable } from "../fs/durable-steps.ts";
import { askNode } from "../http/control-socket.ts";
import type { Logger } from "../log.ts";
import { restoreDatabase } from "./database-snapshot.ts";
import { currentLink, linkedVersion, pointLink, previousLink, releaseBinary, releasesDir } from "./install-layout.ts";
import { clearPending, type PendingUpdate, readPending, updatesDir, writeOutcome, writePending } from "./pending-update.ts";
import { databaseFile } from "../db/database.ts";

/** A trial cut off this many times (the node stopped or lost power during it) is a failure. */
export const MAX_TRIALS = 2;
const POLL_MS = 200;

export interface SettleOptions {
  dataDir: string;
  /** The version this process is. */
  running: string;
  /** How long the target has to become healthy. */
  trialMs: number;
  /** How long the target may take to stop after its trial. */
  stopMs: number;
  log: Logger;
  /** How the target is tried (default: run it and watch it, runTrial); null when it was healthy. */
  trial?: (p: PendingUpdate) => Promise<string | null>;
}

/** "start": start this version now. "restart": releases/current is another version now; run that. */
export type Settled = "start" | "restart";

export const preUpdateSnapshot = (dataDir: string, version: string) => join(updatesDir(dataDir), `pre-update-${version}.db`);

export async function settlePendingUpdate(o: SettleOptions): Promise<Settled> {
  const p = readPending(o.dataDir);
  if (!p) {
    pruneReleases(o.dataDir, [o.running]);
    return "start";
  }
  if (p.to === o.running && !p.failure) {
    finishSwitch(o, p); // the switch happened; the process stopped before it was written down
    return "start";
  }
  if (p.from !== o.running) {
    o.log.warn("a staged update names other versions; dropped", { from: p.from, to: p.to, running: o.running });
    clearPending(o.dataDir);
    return "start";
  }
  if (p.failure) return rollBack(o, p, p.failure);
  if (!existsSync(releaseBinary(o.dataDir, p.to))) return rollBack(o, p, `releases/${p.to}/pc2 is missing`);
  if (p.attempts >= MAX_TRIALS) return rollBack(o, p, `its trial was cut off ${p.attempts} times (the node was stopped or lost power while ${p.to} started)`);
  writePending(o.dataDir, { ...p, attempts: p.attempts + 1 });
  await waitUntilFree(o.dataDir, o.stopMs + 5_000);
  if (p.trialDatabase) restoreDatabase(p.trialDatabase, databaseFile(o.dataDir));
  const failure = await (o.trial ?? ((pending) => runTrial(o, pending)))(p);
  if (failure) return rollBack(o, p, failure);
  if (p.kind === "update") pointLink(previousLink(o.dataDir), o.dataDir, p.from);
  pointLink(currentLink(o.dataDir), o.dataDir, p.to);
  finishSwitch(o, p);
  return "restart";
}

/** After releases/current points at the target: keep (or drop) the pre-update database, record the outcome. */
function finishSwitch(o: SettleOptions, p: PendingUpdate): void {
  const dir = updatesDir(o.dataDir);
  const keep = p.kind === "update" ? preUpdateSnapshot(o.dataDir, p.from) : null;
  for (const name of readdirSync(dir)) if (/^pre-update-.*\.db$/.test(name) && join(dir, name) !== keep) rmSync(join(dir, name), { force: true });
  if (keep && existsSync(p.snapshot)) {
    durable.rename(p.snapshot, keep);
    durable.fsyncDir(dir);
  }
  rmSync(p.snapshot, { force: true });
  if (p.kind === "rollback") rmSync(previousLink(o.dataDir), { force: true });
  writeOutcome(o.dataDir, { kind: p.kind, from: p.from, to: p.to, result: "switched", reason: null, at: new Date().toISOString(), audited: false });
  clearPending(o.dataDir);
  pruneReleases(o.dataDir, [p.to]);
  o.log.info(p.kind === "update" ? "updated" : "rolled back by the Owner", { from: p.from, to: p.to });
}

function rollBack(o: SettleOptions, p: PendingUpdate, reason: string): Settled {
  o.log.error(p.kind === "update" ? "the update failed; rolling back" : "the rollback failed; staying", { from: p.from, to: p.to, reason });
  if (!p.failure) writePending(o.dataDir, { ...p, failure: reason });
  restoreDatabase(p.snapshot, databaseFile(o.dataDir));
  writeOutcome(o.dataDir, { kind: p.kind, from: p.from, to: p.to, result: "reverted", reason, at: new Date().toISOString(), audited: false });
  clearPending(o.dataDir);
  rmSync(p.snapshot, { force: true });
  pruneReleases(o.dataDir, [o.running]);
  return "start";
}

/** Remove release folders nothing points at (a failed target, a release two updates old). */
function pruneReleases(dataDir: string, keep: string[]): void {
  const root = releasesDir(dataDir);
  if (!existsSync(root)) return;
  const kept = new Set([...keep, linkedVersion(currentLink(dataDir)), linkedVersion(previousLink(dataDir)), "current", "previous"]);
  for (const name of readdirSync(root)) {
    if (kept.has(name) || name.endsWith(".tmp")) continue;
    if (existsSync(join(root, name, "pc2"))) rmSync(join(root, name), { recursive: true, force: true });
  }
}

/** A node stopping after an earlier trial may still hold the data dir for a moment. */
async function waitUntilFree(dataDir: string, ms: number): Promise<void> {
  const lock = new DataDirLock(dataDir);
  const until = Date.now() + ms;
  for (let pid = lock.holder(); pid !== null; pid = lock.holder()) {
    if (Date.now() > until) throw new DataDirLockedError(`the data directory is in use by another PC2 process (pid ${pid}); stop it first`);
    await Bun.sleep(POLL_MS);
  }
}

/** The last meaningful line a process wrote to stderr, for the Owner. */
class StderrTail {
  private text = "";
  add(chunk: Uint8Array): void {
    this.text = (this.text + new TextDecoder().decode(chunk)).slice(-4096);
  }
  lastLine(): string {
    const lines = this.text
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    return (lines.at(-1) ?? "").slice(0, 300);
  }
}

async function pump(from: ReadableStream<Uint8Array>, to: NodeJS.WriteStream, tail?: StderrTail): Promise<void> {
  const reader = from.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    to.write(r.value);
    tail?.add(r.value);
  }
}

async function stopChild(child: Subprocess, graceMs: number): Promise<void> {
  child.kill("SIGTERM");
  const stopped = await Promise.race([child.exited.then(() => true), Bun.sleep(graceMs).then(() => false)]);
  if (!stopped) {
    child.kill("SIGKILL");
    await child.exited;
  }
}

/** Start the target, wait until it is healthy or has failed; null when healthy (and stopped again). */
async function runTrial(o: SettleOptions, p: PendingUpdate): Promise<string | null> {
  o.log.info("trying the new release", { version: p.to, kind: p.kind, attempt: p.attempts + 1 });
  // Its stdin stays open while this process lives: if this process is killed, the trial sees the end and stops.
  const child = Bun.spawn([releaseBinary(o.dataDir, p.to), "start"], {
    env: { ...process.env, PC2_UPDATE_TRIAL: p.to },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const tail = new StderrTail();
  const output = Promise.all([pump(child.stdout, process.stdout), pump(child.stderr, process.stderr, tail)]);
  let exitCode: number | null = null;
  void child.exited.then((code) => (exitCode = code));
  const socket = join(o.dataDir, "pc2.sock");
  const until = Date.now() + o.trialMs;
  let lastHealth = "";
  try {
    for (;;) {
      if (exitCode !== null) {
        await output;
        const said = tail.lastLine();
        return `PC2 ${p.to} stopped at start (exit code ${exitCode})${said ? `: ${said}` : ""}`;
      }
      const answer = await askNode(socket, "/health", 2_000);
      if (answer?.status === 200 && answer.body.version === p.to) {
        if (answer.body.status !== "down") break;
        lastHealth = Object.entries(answer.body.components ?? {})
          .filter(([, c]) => (c as { status: string }).status === "down")
          .map(([name]) => name)
          .join(", ");
      }
      if (Date.now() > until) {
        await stopChild(child, o.stopMs);
        return `PC2 ${p.to} did not become healthy within ${Math.round(o.trialMs / 1000)} s${lastHealth ? ` (down: ${lastHealth})` : ""}`;
      }
      await Bun.sleep(POLL_MS);
    }
    o.log.info("the new release is healthy; switching to it", { version: p.to });
    await stopChild(child, o.stopMs + 5_000);
    return null;
  } finally {
    if (exitCode === null) child.kill("SIGKILL");
    await output.catch(() => {});
  }
}
