// The Owner's backups over the API: run one into a folder (it is pruned in the same turn), see the
// last result; only the Owner may; a relative folder is refused; two at once are refused; a folder
// that cannot be written is a failed backup with its reason, not a crash.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { addUser, claimOwner, type Fetcher, httpFetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

const work = makeTempDir();
let t: TestNode;
let f: Fetcher;
let owner: SignedIn;

beforeAll(async () => {
  t = await startTestNode();
  f = httpFetcher(t.url);
  owner = await claimOwner(f, t.started.setup.code!);
});
afterAll(async () => {
  await t?.stop();
  work.remove();
});

const run = (who: SignedIn, body: unknown) => f("/api/backup/run", { method: "POST", headers: { ...who.bearer, "content-type": "application/json" }, body: JSON.stringify(body) });

test("the Owner backs up into a folder and sees the last result; the audit log has it", async () => {
  expect(await (await f("/api/backup", { headers: owner.bearer })).json()).toEqual({ destination: null, running: false, last: null, lastGood: null, nextAt: null });
  const res = await run(owner, { folder: join(work.path, "usb") });
  expect(res.status).toBe(200);
  const record = await res.json();
  expect(record).toMatchObject({ ok: true, destination: join(work.path, "usb"), setsKept: 1, error: null });
  expect(record.objects).toBeGreaterThanOrEqual(2);
  const status = await (await f("/api/backup", { headers: owner.bearer })).json();
  expect(status).toMatchObject({ destination: { kind: "folder", folder: join(work.path, "usb") }, running: false, last: { ok: true, set: record.set }, lastGood: { set: record.set } });
  expect(Date.parse(status.nextAt) - Date.parse(record.at)).toBe(24 * 3_600_000);
  const audit = await (await f("/api/audit?action=backup.run", { headers: owner.bearer })).json();
  expect(audit.entries[0]).toMatchObject({ action: "backup.run", detail: { ok: true, set: record.set } });
});

test("only the Owner; a relative folder, two at once, an unwritable folder", async () => {
  const admin = await addUser(f, owner, "admin");
  expect((await run(admin, { folder: join(work.path, "x") })).status).toBe(403);
  const member = await addUser(f, owner, "member");
  expect((await f("/api/backup", { headers: member.bearer })).status).toBe(403);
  expect((await run(owner, { folder: "relative/dir" })).status).toBe(400);
  // Exactly one destination; a Node ID that is one, and not this node's own.
  const refused = async (body: unknown) => {
    const r = await run(owner, body);
    return [r.status, (await r.json()).code];
  };
  expect(await refused({})).toEqual([400, "invalid_backup_destination"]);
  expect(await refused({ folder: join(work.path, "usb"), nodeId: t.started.identity.nodeId })).toEqual([400, "invalid_backup_destination"]);
  expect(await refused({ nodeId: "x".repeat(44) })).toEqual([400, "invalid_node_id"]);
  expect(await refused({ nodeId: t.started.identity.nodeId })).toEqual([400, "invalid_backup_destination"]);
  const [a, b] = await Promise.all([run(owner, { folder: join(work.path, "usb") }), run(owner, { folder: join(work.path, "usb") })]);
  expect([a.status, b.status].sort()).toEqual([200, 409]);
  // A "folder" inside a regular file cannot be made, even by root: a failed backup, with its reason.
  const file = join(work.path, "a-file");
  writeFileSync(file, "x");
  const failed = await run(owner, { folder: join(file, "inner") });
  expect(failed.status).toBe(200);
  expect(await failed.json()).toMatchObject({ ok: false, set: null, error: expect.stringContaining("ENOTDIR") });
  expect((await (await f("/api/backup", { headers: owner.bearer })).json()).last).toMatchObject({ ok: false });
});

test("the schedule: a backup a day once a folder is chosen; an hour after a failure", async () => {
  const backup = t.node.services.backup;
  const folder = join(work.path, "scheduled");
  const first = await backup.run({ kind: "folder", folder }, new Date("2030-01-01T03:00:00Z"));
  expect(first.ok).toBe(true);
  expect(await backup.runIfDue(new Date("2030-01-01T20:00:00Z"))).toBeNull(); // not a day yet
  const next = await backup.runIfDue(new Date("2030-01-02T03:00:01Z"));
  expect(next).toMatchObject({ ok: true, destination: folder });
  // A failure (the folder became a file) is tried again an hour later, not every ten minutes.
  rmSync(folder, { recursive: true, force: true });
  writeFileSync(folder, "not a folder");
  const failed = await backup.runIfDue(new Date("2030-01-03T03:00:02Z"));
  expect(failed).toMatchObject({ ok: false });
  expect(await backup.runIfDue(new Date("2030-01-03T03:30:00Z"))).toBeNull();
  expect(backup.status()).toMatchObject({ last: { ok: false }, lastGood: { ok: true, set: next!.set }, nextAt: "2030-01-03T04:00:02.000Z" });
  rmSync(folder, { force: true });
  expect(await backup.runIfDue(new Date("2030-01-03T04:00:03Z"))).toMatchObject({ ok: true });
});
