// UpdateApplier's refusals and choices, in process: no backup destination, no previous release, a
// rollback across a schema change (refused without the Owner's consent; with it, the pre-update
// database goes with the handover), one at a time. The real handover is update-apply.test.ts's.
import { afterAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { closeDatabase, openDatabase } from "../../../server/db/database.ts";
import { migrate } from "../../../server/db/migrate.ts";
import { MIGRATIONS } from "../../../server/db/migrations/index.ts";
import { AppError } from "../../../server/errors.ts";
import { createLogger } from "../../../server/log.ts";
import type { AuditService } from "../../../server/services/audit/audit.service.ts";
import { UpdateApplier } from "../../../server/services/update/update-apply.ts";
import { currentLink, pointLink, previousLink, releaseBinary } from "../../../server/update/install-layout.ts";
import type { Handover } from "../../../server/update/stage-update.ts";
import { preUpdateSnapshot } from "../../../server/update/update-trial.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";

const dir = makeTempDir("pc2-applier-");
afterAll(() => dir.remove());
const quiet = createLogger({ level: "error", format: "json", sink: { write() {} } });
const audited: unknown[] = [];
const audit = { record: (e: unknown) => audited.push(e) } as unknown as AuditService;
for (const v of ["1.0.0", "2.0.0"]) {
  mkdirSync(join(dir.path, "releases", v), { recursive: true });
  writeFileSync(releaseBinary(dir.path, v), "");
  chmodSync(releaseBinary(dir.path, v), 0o755);
}
pointLink(currentLink(dir.path), dir.path, "2.0.0");
pointLink(previousLink(dir.path), dir.path, "1.0.0");
mkdirSync(join(dir.path, "updates"));
// The database as 1.0.0 left it: every migration but the last.
const before = openDatabase(preUpdateSnapshot(dir.path, "1.0.0"));
migrate(before, MIGRATIONS.slice(0, -1));
closeDatabase(before);

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as AppError).code;
  }
  return "no error";
};

function applier(o: { installed?: string | null; target?: boolean } = {}) {
  const handovers: Handover[] = [];
  const a = new UpdateApplier({
    dataDir: dir.path,
    installed: o.installed === undefined ? "2.0.0" : o.installed,
    backup: { target: () => (o.target === false ? null : { kind: "folder", folder: "/backups" }), run: async () => ({ ok: true }) as never },
    audit,
    schema: () => MIGRATIONS.map((m) => m.version),
    log: quiet,
  });
  a.setHandover(async (h) => void handovers.push(h));
  return { a, handovers };
}

const release = { version: "3.0.0", channel: "stable", platform: "linux-x64", url: "https://example.org/pc2", sha256: "00".repeat(32), size: 1, minFrom: "0.0.0", notes: "" };

test("not installed as a release, no backup destination, nothing to go back to: refused, nothing handed over", () => {
  expect(code(() => applier({ installed: null }).a.apply(release, null))).toBe("update_not_installed");
  expect(code(() => applier({ installed: null }).a.rollback(null, true))).toBe("update_not_installed");
  const { a, handovers } = applier({ target: false });
  expect(code(() => a.apply(release, null))).toBe("update_no_backup");
  expect(code(() => applier({ installed: "1.0.0" }).a.rollback(null, true))).toBe("update_no_previous"); // previous is the one running
  expect(handovers).toEqual([]);
  expect(a.status().step).toBe("idle");
});

test("a rollback across a schema change: refused, then with consent the pre-update database goes with it; one at a time", async () => {
  const { a, handovers } = applier();
  expect(a.previous()).toBe("1.0.0");
  let message = "";
  try {
    a.rollback("0xowner", false);
  } catch (err) {
    message = (err as AppError).message;
  }
  expect(message).toStartWith(`PC2 2.0.0 changed the database (schema ${MIGRATIONS.at(-1)!.version}): rolling back to 1.0.0 puts back the database as it was before the update (`);
  a.rollback("0xowner", true);
  expect(a.status()).toMatchObject({ step: "restarting", kind: "rollback", version: "1.0.0" });
  expect(code(() => a.rollback("0xowner", true))).toBe("update_running");
  await Bun.sleep(200);
  expect(handovers).toEqual([{ kind: "rollback", to: "1.0.0", trialDatabase: preUpdateSnapshot(dir.path, "1.0.0") }]);
  expect(audited.at(-1)).toEqual({ actor: "0xowner", action: "update.rollback", detail: { from: "2.0.0", to: "1.0.0", databaseRestored: true } });
});
