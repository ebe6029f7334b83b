// Single files and folders back from a backup set, as the desktop asks: the sets at the chosen
// destination, what the caller's folders held then (their own wallet only), and a restore into a
// new "Restored <time>" folder through the ordinary write path (same bytes, same CID), never over
// what is there now. Refused: before any destination, another wallet's path, a missing entry, a bad
// or unknown set, the home folder itself, Members; a damaged set is said to be damaged.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { filesClient } from "../../helpers/files-client.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { addUser, claimOwner, type Fetcher, httpFetcher, json, type SignedIn } from "../../helpers/wallet-auth.ts";

const work = makeTempDir();
let t: TestNode;
let f: Fetcher;
let owner: SignedIn;
let member: SignedIn;
const bigBytes = randomBytes(5 * 1024 * 1024);
let originalCid = "";

const get = (who: SignedIn, path: string) => f(path, { headers: who.bearer }).then(async (r) => ({ status: r.status, body: await r.json() }));
const restore = (who: SignedIn, set: string, paths: unknown) =>
  f(`/api/backup/sets/${set}/restore`, { ...json({ paths }, who.bearer), method: "POST" }).then(async (r) => ({ status: r.status, body: await r.json() }));

beforeAll(async () => {
  t = await startTestNode();
  f = httpFetcher(t.url);
  owner = await claimOwner(f, t.started.setup.code!);
  member = await addUser(f, owner, "member");
  const mine = filesClient(f, owner);
  expect((await mine.write("~/Documents", "a.txt", "the first version")).status).toBe(200);
  expect((await mine.post("/mkdir", { path: "~/Documents/Sub" })).status).toBe(200);
  const big = await mine.write("~/Documents/Sub", "big.bin", bigBytes);
  originalCid = big.body.cid;
  expect((await filesClient(f, member).write("~/Documents", "members-own.txt", "not the Owner's")).status).toBe(200);
});
afterAll(async () => {
  await t?.stop();
  work.remove();
});

test("before any destination there is nothing to look into", async () => {
  expect(await get(owner, "/api/backup/sets")).toMatchObject({ status: 409, body: { code: "backup_no_destination" } });
});

test("list a set, then bring a file and a folder back into a new folder: same bytes, same CID, nothing overwritten", async () => {
  const ran = await f("/api/backup/run", { ...json({ folder: join(work.path, "usb") }, owner.bearer), method: "POST" });
  expect((await ran.json()).ok).toBe(true);
  // After the backup the Owner changes a.txt and deletes the big file.
  const mine = filesClient(f, owner);
  expect((await mine.write("~/Documents", "a.txt", "the second version", { overwrite: "true" })).status).toBe(200);
  expect((await mine.post("/delete", { paths: ["~/Documents/Sub/big.bin"], permanent: true })).status).toBe(200);

  const sets = await get(owner, "/api/backup/sets");
  expect(sets.status).toBe(200);
  expect(sets.body.sets).toEqual([{ name: expect.stringMatching(/^\d{8}T\d{9}Z$/), at: expect.any(String) }]);
  const set = sets.body.sets[0].name as string;
  const docs = await get(owner, `/api/backup/sets/${set}/files?path=${encodeURIComponent("~/Documents")}`);
  expect(docs.status).toBe(200);
  expect(docs.body.path).toBe(`/${owner.address}/Documents`);
  expect(docs.body.entries.map((e: { name: string; isDir: boolean }) => [e.name, e.isDir])).toEqual([
    ["Sub", true],
    ["a.txt", false],
  ]);
  expect(docs.body.entries[1]).toMatchObject({ path: `/${owner.address}/Documents/a.txt`, size: "the first version".length });
  const sub = await get(owner, `/api/backup/sets/${set}/files?path=${encodeURIComponent(`/${owner.address}/Documents/Sub`)}`);
  expect(sub.body.entries).toEqual([expect.objectContaining({ name: "big.bin", size: bigBytes.length, isDir: false })]);

  const done = await restore(owner, set, ["~/Documents/a.txt", "~/Documents/Sub"]);
  expect(done.status).toBe(200);
  // (Read before toMatchObject: Bun's asymmetric matchers there can replace the value they matched.)
  const folder = done.body.folder as string;
  expect(folder).toMatch(new RegExp(`^/${owner.address}/Restored \\d{4}-\\d{2}-\\d{2} \\d{2}-\\d{2}-\\d{2}$`));
  expect(done.body).toMatchObject({ files: 2, folders: 1, bytes: bigBytes.length + "the first version".length });
  expect(new TextDecoder().decode((await mine.read(`${folder}/a.txt`)).bytes)).toBe("the first version");
  expect(Buffer.from((await mine.read(`${folder}/Sub/big.bin`)).bytes).equals(bigBytes)).toBe(true);
  const stat = await mine.post("/stat", { path: `${folder}/Sub/big.bin` });
  expect(stat.body.cid ?? stat.body.metadata?.cid).toBe(originalCid);
  // What is there now is untouched.
  expect(new TextDecoder().decode((await mine.read("~/Documents/a.txt")).bytes)).toBe("the second version");
  // A second restore of the same set goes into a folder of its own.
  const again = await restore(owner, set, ["~/Documents/a.txt"]);
  expect(again.body.folder).toBe(`${folder} (1)`);
  const audit = await get(owner, "/api/audit?action=backup.files_restored");
  expect(audit.body.entries[0]).toMatchObject({ actor: owner.address, detail: { set, files: 1 } });
});

test("refused: another wallet's path, a missing entry, the home folder, a bad or unknown set, a Member", async () => {
  const set = (await get(owner, "/api/backup/sets")).body.sets[0].name as string;
  const list = (path: string, name = set) => get(owner, `/api/backup/sets/${name}/files?path=${encodeURIComponent(path)}`);
  expect(await list(`/${member.address}/Documents`)).toMatchObject({ status: 403, body: { code: "access_denied" } });
  // The Member's file is in the set, but the Owner's listing is of the Owner's wallet only.
  expect(JSON.stringify((await list("~/Documents")).body)).not.toContain("members-own.txt");
  expect(await list("~/Nowhere")).toMatchObject({ status: 404 });
  expect(await list("~/Documents/a.txt")).toMatchObject({ status: 404 });
  expect((await list("~", "latest")).status).toBe(400);
  expect(await list("~", "20200101T000000000Z")).toMatchObject({ status: 404, body: { code: "backup_set_not_found" } });
  expect(await restore(owner, set, ["~/Documents/nothing.txt"])).toMatchObject({ status: 404 });
  expect(await restore(owner, set, ["~"])).toMatchObject({ status: 400, body: { code: "invalid_request" } });
  expect((await restore(owner, set, [])).status).toBe(400);
  expect((await restore(owner, set, ["../../etc/passwd"])).status).toBe(400);
  expect((await get(member, "/api/backup/sets")).status).toBe(403);
  expect((await restore(member, set, ["~/Documents/members-own.txt"])).status).toBe(403);
});

test("a damaged set is said to be damaged, and nothing is restored from it", async () => {
  const set = (await get(owner, "/api/backup/sets")).body.sets[0].name as string;
  t.node.services.backupBrowser.stop(); // forget the opened copy: read the set again
  const chunks = join(work.path, "usb", "pc2-backup", t.started.identity.nodeId, "chunks");
  for (const prefix of readdirSync(chunks))
    for (const name of readdirSync(join(chunks, prefix))) {
      const b = readFileSync(join(chunks, prefix, name));
      b[b.length - 5]! ^= 1;
      writeFileSync(join(chunks, prefix, name), b);
    }
  const before = (await filesClient(f, owner).names("~")).filter((n) => n.startsWith("Restored"));
  expect(await get(owner, `/api/backup/sets/${set}/files?path=~`)).toMatchObject({ status: 422, body: { code: "backup_damaged" } });
  expect(await restore(owner, set, ["~/Documents/a.txt"])).toMatchObject({ status: 422, body: { code: "backup_damaged" } });
  expect((await filesClient(f, owner).names("~")).filter((n) => n.startsWith("Restored"))).toEqual(before);
});
