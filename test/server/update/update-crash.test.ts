// A kill (or a power cut: the same for these files, which are flushed before they count) at every
// durable step of an update — staging it, switching to the new release, rolling back — and then the
// next start: the node always comes up on exactly one complete release, with the database either as
// it was before the update or as the new release left it, never a mix, and nothing left pending.
import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { closeDatabase, openDatabase } from "../../../server/db/database.ts";
import { createLogger } from "../../../server/log.ts";
import { currentLink, linkedVersion, pointLink, releaseBinary } from "../../../server/update/install-layout.ts";
import { readOutcome, readPending } from "../../../server/update/pending-update.ts";
import { stageUpdate } from "../../../server/update/stage-update.ts";
import { settlePendingUpdate } from "../../../server/update/update-trial.ts";
import { BUN, REPO } from "../../helpers/spawned-node.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";

const SCRIPT = join(REPO, "test/fixtures/update/crash-at-step.ts");
const quiet = createLogger({ level: "error", format: "json", sink: { write() {} } });
const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

/** A data dir with releases 1.0.0 (current) and 2.0.0, and a database holding one fact. */
function installed(): string {
  const dir = makeTempDir("pc2-crash-");
  dirs.push(dir);
  for (const v of ["1.0.0", "2.0.0"]) {
    mkdirSync(join(dir.path, "releases", v), { recursive: true });
    writeFileSync(releaseBinary(dir.path, v), `release ${v}`);
    chmodSync(releaseBinary(dir.path, v), 0o755);
  }
  pointLink(currentLink(dir.path), dir.path, "1.0.0");
  const db = openDatabase(join(dir.path, "pc2.db"));
  db.run("CREATE TABLE facts (v TEXT)");
  db.run("INSERT INTO facts VALUES ('before')");
  closeDatabase(db);
  return dir.path;
}

function facts(dataDir: string): string[] {
  const db = openDatabase(join(dataDir, "pc2.db"));
  try {
    expect(db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get()!.integrity_check).toBe("ok");
    return db
      .query<{ v: string }, []>("SELECT v FROM facts ORDER BY rowid")
      .all()
      .map((r) => r.v);
  } finally {
    closeDatabase(db);
  }
}

/** The new release's trial changed the database (its migration), as a real one would. */
function trialWrites(dataDir: string): void {
  const db = openDatabase(join(dataDir, "pc2.db"));
  db.run("INSERT INTO facts VALUES ('migrated by 2.0.0')");
  closeDatabase(db);
}

/** What a service manager does: start releases/current; when it asks for a restart, start it again. */
async function nextStart(dataDir: string, healthy: boolean): Promise<string> {
  for (let i = 0; i < 3; i++) {
    const running = linkedVersion(currentLink(dataDir))!;
    const settled = await settlePendingUpdate({
      dataDir,
      running,
      trialMs: 1000,
      stopMs: 1000,
      log: quiet,
      trial: async () => {
        if (!healthy) return "it did not start";
        trialWrites(dataDir);
        return null;
      },
    });
    if (settled === "start") return running;
  }
  throw new Error("restarted more than twice");
}

async function crashAt(dataDir: string, op: string, step: number): Promise<boolean> {
  const proc = Bun.spawn([BUN, SCRIPT, dataDir, op, String(step)], { stdout: "pipe", stderr: "pipe" });
  const code = await proc.exited;
  if (code === 0) return false;
  expect(proc.signalCode).toBe("SIGKILL");
  return true;
}

function expectOneWholeRelease(dataDir: string, running: string): void {
  expect(readPending(dataDir)).toBeNull();
  expect(linkedVersion(currentLink(dataDir))).toBe(running);
  expect(readFileSync(releaseBinary(dataDir, running), "utf8")).toBe(`release ${running}`);
  expect(existsSync(join(dataDir, "pc2.db.restore.tmp"))).toBe(false);
}

describe("a kill at every durable step, then the next start", () => {
  test("while staging: the old release runs with its database, or the update goes ahead whole", async () => {
    let killed = 0;
    for (let step = 1; ; step++) {
      const data = installed();
      if (!(await crashAt(data, "stage", step))) break;
      killed++;
      const running = await nextStart(data, true);
      expectOneWholeRelease(data, running);
      expect(facts(data)).toEqual(running === "1.0.0" ? ["before"] : ["before", "migrated by 2.0.0"]);
    }
    expect(killed).toBeGreaterThanOrEqual(4);
  }, 60_000);

  test("while switching to a healthy release: it runs either way, and is recorded as the update", async () => {
    let killed = 0;
    for (let step = 1; ; step++) {
      const data = installed();
      stageUpdate(data, "1.0.0", { kind: "update", to: "2.0.0", trialDatabase: null });
      trialWrites(data); // the trial ran (and migrated) before the kill
      if (!(await crashAt(data, "switch", step))) break;
      killed++;
      const running = await nextStart(data, true);
      expectOneWholeRelease(data, running);
      expect(running).toBe("2.0.0");
      expect(readOutcome(data)).toMatchObject({ result: "switched", from: "1.0.0", to: "2.0.0" });
      expect(linkedVersion(join(data, "releases", "previous"))).toBe("1.0.0");
      expect(existsSync(join(data, "updates", "pre-update-1.0.0.db"))).toBe(true);
    }
    expect(killed).toBeGreaterThanOrEqual(4);
  }, 60_000);

  test("while rolling back a failed release: the old release runs with the database as it was", async () => {
    let killed = 0;
    for (let step = 1; ; step++) {
      const data = installed();
      stageUpdate(data, "1.0.0", { kind: "update", to: "2.0.0", trialDatabase: null });
      trialWrites(data); // the failed trial changed the database before it died
      if (!(await crashAt(data, "revert", step))) break;
      killed++;
      // Once the failure is written down the rollback is finished, even if the release would start now.
      const begun = readPending(data)?.failure != null || readPending(data) === null;
      const running = await nextStart(data, true);
      expectOneWholeRelease(data, running);
      if (!begun) continue; // killed before the failure counted: tried again (and healthy now)
      expect(running).toBe("1.0.0");
      expect(facts(data)).toEqual(["before"]);
      expect(readOutcome(data)).toMatchObject({ result: "reverted", to: "2.0.0", reason: "it did not start" });
      expect(existsSync(join(data, "releases", "2.0.0"))).toBe(false);
    }
    expect(killed).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
