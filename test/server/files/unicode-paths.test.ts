// Names with astral (emoji), combining and joiner characters survive rename, move, Trash and
// emptying it: path arithmetic is done in one unit (SQLite's), never mixing JS UTF-16 lengths.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { filesClient } from "../../helpers/files-client.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { appFetcher, claimOwner, json, type SignedIn } from "../../helpers/wallet-auth.ts";

let t: TestNode;
let owner: SignedIn;
let fs: ReturnType<typeof filesClient>;

beforeAll(async () => {
  t = await startTestNode();
  owner = await claimOwner(appFetcher(t.node.app), t.started.setup.code!);
  fs = filesClient(appFetcher(t.node.app), owner);
});
afterAll(() => t.stop());

/** Every row's path must equal its parent's path + "/" + its name. */
function indexIsConsistent(): string[] {
  const db = new Database(join(t.dataDir, "pc2.db"), { readonly: true });
  try {
    return db
      .query<{ path: string; expected: string }, [string]>(
        "SELECT c.path AS path, (CASE p.path WHEN '/' THEN '' ELSE p.path END) || '/' || c.name AS expected FROM fs_entries c JOIN fs_entries p ON p.uid = c.parent_uid WHERE c.owner = ?",
      )
      .all(owner.address)
      .filter((r) => r.path !== r.expected)
      .map((r) => `${r.path} ≠ ${r.expected}`);
  } finally {
    db.close();
  }
}

test("an emoji folder tree renamed, moved, trashed and emptied: children follow, nothing strays, the quota is freed", async () => {
  const top = "🎉 Party 👨‍👩‍👧 plans";
  expect((await fs.post("/mkdir", { path: `~/Documents/${top}/𝄞 music/é-combined`, create_missing_parents: true })).status).toBe(200);
  await fs.write(`~/Documents/${top}`, "🍰.txt", "cake");
  await fs.write(`~/Documents/${top}/𝄞 music`, "song 🎵.txt", "la la");
  await fs.write(`~/Documents/${top}/𝄞 music/é-combined`, "deep 🐙.txt", "deep");
  expect(indexIsConsistent()).toEqual([]);

  const renamed = await fs.post("/rename", { path: `~/Documents/${top}`, new_name: "🚀" });
  expect(renamed.status).toBe(200);
  expect(indexIsConsistent()).toEqual([]);
  expect((await fs.names("~/Documents/🚀/𝄞 music")).sort()).toEqual(["song 🎵.txt", "é-combined"]);
  expect(new TextDecoder().decode((await fs.read("~/Documents/🚀/𝄞 music/é-combined/deep 🐙.txt")).bytes)).toBe("deep");

  await fs.post("/mkdir", { path: "~/Desktop/🗂️ archive" });
  expect((await fs.post("/move", { source: "~/Documents/🚀", destination: "~/Desktop/🗂️ archive" })).status).toBe(200);
  expect(indexIsConsistent()).toEqual([]);
  expect((await fs.post("/stat", { path: "~/Desktop/🗂️ archive/🚀/𝄞 music/é-combined/deep 🐙.txt" })).status).toBe(200);

  expect((await fs.post("/delete", { paths: ["~/Desktop/🗂️ archive"] })).status).toBe(200);
  expect(indexIsConsistent()).toEqual([]);
  const f = appFetcher(t.node.app);
  expect((await (await f("/api/files/trash/empty", json({}, owner.bearer))).json()).removed).toBe(1);
  const db = new Database(join(t.dataDir, "pc2.db"), { readonly: true });
  const stray = db.query<{ path: string }, [string]>("SELECT path FROM fs_entries WHERE owner = ? AND is_dir = 0").all(owner.address);
  db.close();
  expect(stray).toEqual([]);
  expect((await fs.post("/df")).body.used).toBe(0);
});

test("look-alike names with invisible characters are refused; joiners that scripts and emoji need are kept", async () => {
  for (const name of ["report\u200B.pdf", "\u200B", "\uFEFFnotes", "a\u2060b", "soft\u00ADhyphen", "mark\u200Eed", "\u0301accent-first", "x\u034Fy"]) {
    const r = await fs.post("/mkdir", { parent: "~/Documents", path: name });
    expect([JSON.stringify(name), r.status, /^invalid_(file_name|path)$/.test(r.body.code)]).toEqual([JSON.stringify(name), 400, true]);
  }
  for (const name of ["👩‍💻 work", "می‌خواهم", "e\u0301cole"]) {
    const r = await fs.post("/mkdir", { parent: "~/Documents", path: name });
    expect([name, r.status]).toEqual([name, 200]);
  }
  // NFD input is stored NFC: "école" typed two ways is one name.
  expect(await fs.names("~/Documents")).toContain("école");
});
