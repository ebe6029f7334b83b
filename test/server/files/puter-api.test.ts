import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Pc2WsClient } from "../../../web/api/ws-client.ts";
import { filesClient } from "../../helpers/files-client.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { addUser, claimOwner, httpFetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

let t: TestNode;
let owner: SignedIn;
let member: SignedIn;
let fs: ReturnType<typeof filesClient>;
let other: ReturnType<typeof filesClient>;
const text = (b: Uint8Array) => new TextDecoder().decode(b);

beforeAll(async () => {
  t = await startTestNode();
  const f = httpFetcher(t.url);
  owner = await claimOwner(f, t.started.setup.code!);
  member = await addUser(f, owner, "member");
  fs = filesClient(f, owner);
  other = filesClient(f, member);
});
afterAll(() => t.stop());

describe("home folders", () => {
  test("Desktop, Documents, Pictures, Public and Trash exist from the first sign-in, and cannot be removed", async () => {
    expect(await fs.names("~")).toEqual(["Desktop", "Documents", "Pictures", "Public", "Trash"]);
    const home = await fs.post("/stat", { path: "~" });
    expect(home.body).toMatchObject({ path: `/${owner.address}`, is_dir: true, immutable: true });
    for (const p of ["~/Documents", "~/Trash", "~"]) {
      const r = await fs.post("/delete", { paths: [p] });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe("immutable");
    }
    expect((await fs.post("/rename", { path: "~/Documents", new_name: "Docs" })).body.code).toBe("immutable");
  });

  test("'~', '/' and '/<own address>' all mean the caller's root", async () => {
    for (const p of ["~", "/", `/${owner.address}`, `/${owner.address.toUpperCase().replace("0X", "0x")}`]) {
      expect((await fs.post("/stat", { path: p })).body.path).toBe(`/${owner.address}`);
    }
  });
});

describe("write and read", () => {
  test("POST /write stores the file and answers { path, cid, … }; /read serves it as octet-stream with the CID as ETag", async () => {
    const w = await fs.write("~/Documents", "hello.txt", "hello\n");
    expect(w.status).toBe(200);
    expect(w.body).toMatchObject({ path: `/${owner.address}/Documents/hello.txt`, name: "hello.txt", size: 6, is_dir: false, type: "text/plain;charset=utf-8" });
    expect(w.body.cid).toBe("bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am");
    const r = await fs.read("~/Documents/hello.txt");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/octet-stream");
    expect(r.headers.get("etag")).toBe(`"${w.body.cid}"`);
    expect(text(r.bytes)).toBe("hello\n");
    expect((await fs.read("~/Documents/hello.txt", { "if-none-match": `"${w.body.cid}"` })).status).toBe(304);
  });

  test("Range requests", async () => {
    await fs.write("~/Documents", "digits.txt", "0123456789");
    const part = await fs.read("~/Documents/digits.txt", { range: "bytes=2-5" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 2-5/10");
    expect(text(part.bytes)).toBe("2345");
    expect(text((await fs.read("~/Documents/digits.txt", { range: "bytes=-3" })).bytes)).toBe("789");
    expect(text((await fs.read("~/Documents/digits.txt", { range: "bytes=7-" })).bytes)).toBe("789");
    const bad = await fs.read("~/Documents/digits.txt", { range: "bytes=20-30" });
    expect(bad.status).toBe(416);
    expect(bad.headers.get("content-range")).toBe("bytes */10");
  });

  test("name clashes: 409 by default, overwrite keeps the uid, dedupe picks 'name (1).ext'", async () => {
    const first = await fs.write("~/Documents", "clash.txt", "one");
    const again = await fs.write("~/Documents", "clash.txt", "two");
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: "item_with_same_name_exists", entry_name: "clash.txt" });
    const over = await fs.write("~/Documents", "clash.txt", "three", { overwrite: "true" });
    expect(over.body.uid).toBe(first.body.uid);
    expect(text((await fs.read("~/Documents/clash.txt")).bytes)).toBe("three");
    const dup = await fs.write("~/Documents", "clash.txt", "four", { dedupe_name: "true" });
    expect(dup.body.name).toBe("clash (1).txt");
  });

  test("missing folders: 404 unless create_missing_parents", async () => {
    expect((await fs.write("~/Documents/x/y", "f.txt", "z")).body.code).toBe("dest_does_not_exist");
    const ok = await fs.write("~/Documents/x/y", "f.txt", "z", { create_missing_parents: "true" });
    expect(ok.body.path).toBe(`/${owner.address}/Documents/x/y/f.txt`);
  });

  test("a declared size that does not match the bytes is refused and leaves nothing", async () => {
    const r = await fs.write("~/Documents", "liar.txt", "12345", { size: "10" });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("size_mismatch");
    expect((await fs.post("/stat", { path: "~/Documents/liar.txt" })).status).toBe(404);
  });

  test("reading a folder is refused", async () => {
    const r = await fs.read("~/Documents");
    expect(r.status).toBe(400);
  });
});

describe("folders, rename, move, copy", () => {
  test("mkdir (relative to parent, with missing parents), readdir sorted and paginated, stat", async () => {
    const m = await fs.post("/mkdir", { parent: "~/Documents", path: "proj/src", create_missing_parents: true });
    expect(m.status).toBe(200);
    expect(m.body.path).toBe(`/${owner.address}/Documents/proj/src`);
    expect((await fs.post("/mkdir", { parent: "~/Documents", path: "proj" })).body.code).toBe("item_with_same_name_exists");
    for (const n of ["b.txt", "a.txt", "c.txt"]) await fs.write("~/Documents/proj", n, n);
    expect(await fs.names("~/Documents/proj")).toEqual(["a.txt", "b.txt", "c.txt", "src"]);
    const page = await fs.post("/fs/readdir", { path: "~/Documents/proj", cursor: null, limit: 2, includeTotal: true });
    expect(page.body.items.map((e: { name: string }) => e.name)).toEqual(["a.txt", "b.txt"]);
    expect(page.body).toMatchObject({ cursor: "2", total: 4 });
    expect(page.body.items[0]).toMatchObject({ isDir: false, parentUid: expect.any(String) });
    const dirStat = await fs.post("/stat", { path: "~/Documents/proj", return_size: true });
    expect(dirStat.body).toMatchObject({ is_dir: true, is_empty: false, size: 15 });
  });

  test("folders_first lists folders before files, in every order and across pages; a bad value is refused", async () => {
    await fs.post("/mkdir", { path: "~/Documents/mixed/b-dir", create_missing_parents: true });
    await fs.post("/mkdir", { path: "~/Documents/mixed/z-dir" });
    for (const [n, body] of [
      ["a.txt", "aaaaa"],
      ["c.txt", "c"],
      ["y.txt", "yyy"],
    ])
      await fs.write("~/Documents/mixed", n!, body!);
    const names = async (extra: Record<string, unknown>) => ((await fs.post("/readdir", { path: "~/Documents/mixed", folders_first: true, ...extra })).body as { name: string }[]).map((e) => e.name);
    expect(await names({})).toEqual(["b-dir", "z-dir", "a.txt", "c.txt", "y.txt"]);
    expect(await names({ sort_order: "desc" })).toEqual(["z-dir", "b-dir", "y.txt", "c.txt", "a.txt"]);
    const bySize = await names({ sort_by: "size", sort_order: "desc" });
    expect([bySize.slice(0, 2).sort(), bySize.slice(2)]).toEqual([
      ["b-dir", "z-dir"],
      ["a.txt", "y.txt", "c.txt"],
    ]);
    // Without it, Puter's order: by name only.
    expect(await names({ folders_first: undefined })).toEqual(["a.txt", "b-dir", "c.txt", "y.txt", "z-dir"]);
    // Pages follow the same order, and meet without a gap or an overlap.
    const first = await fs.post("/readdir", { path: "~/Documents/mixed", folders_first: "true", cursor: "0", limit: 3 });
    expect(first.body.items.map((e: { name: string }) => e.name)).toEqual(["b-dir", "z-dir", "a.txt"]);
    const second = await fs.post("/readdir", { path: "~/Documents/mixed", folders_first: "true", cursor: first.body.cursor, limit: 3 });
    expect(second.body.items.map((e: { name: string }) => e.name)).toEqual(["c.txt", "y.txt"]);
    expect(second.body.cursor).toBeUndefined();
    const bad = await fs.post("/readdir", { path: "~/Documents/mixed", folders_first: "sometimes" });
    expect([bad.status, bad.body.code]).toEqual([400, "invalid_request"]);
  });

  test("rename keeps the uid; a taken name is refused", async () => {
    const w = await fs.write("~/Documents", "old.txt", "x");
    const r = await fs.post("/rename", { uid: w.body.uid, new_name: "new.txt" });
    expect(r.body).toMatchObject({ uid: w.body.uid, name: "new.txt" });
    expect((await fs.post("/rename", { path: "~/Documents/new.txt", new_name: "hello.txt" })).status).toBe(409);
    expect((await fs.post("/rename", { path: "~/Documents/new.txt", new_name: "a/b" })).status).toBe(400);
  });

  test("move a folder with its contents; not into itself", async () => {
    await fs.post("/mkdir", { path: "~/Documents/tree/inner", create_missing_parents: true });
    await fs.write("~/Documents/tree/inner", "leaf.txt", "leaf");
    const m = await fs.post("/move", { source: "~/Documents/tree", destination: "~/Desktop" });
    expect(m.body.moved.path).toBe(`/${owner.address}/Desktop/tree`);
    expect(m.body.old_path).toBe(`/${owner.address}/Documents/tree`);
    expect(text((await fs.read("~/Desktop/tree/inner/leaf.txt")).bytes)).toBe("leaf");
    expect((await fs.post("/stat", { path: "~/Documents/tree/inner/leaf.txt" })).status).toBe(404);
    const into = await fs.post("/move", { source: "~/Desktop/tree", destination: "~/Desktop/tree/inner" });
    expect(into.body.code).toBe("cannot_move_directory_into_itself");
  });

  test("copy is recursive and independent of the original", async () => {
    const c = await fs.post("/copy", { source: "~/Desktop/tree", destination: "~/Pictures" });
    expect(c.body[0].copied.path).toBe(`/${owner.address}/Pictures/tree`);
    await fs.write("~/Pictures/tree/inner", "leaf.txt", "changed", { overwrite: "true" });
    expect(text((await fs.read("~/Desktop/tree/inner/leaf.txt")).bytes)).toBe("leaf");
    expect(text((await fs.read("~/Pictures/tree/inner/leaf.txt")).bytes)).toBe("changed");
    expect((await fs.post("/copy", { source: "~/Pictures/tree", destination: "~/Pictures/tree/inner" })).body.code).toBe("cannot_copy_directory_into_itself");
  });
});

describe("Trash", () => {
  test("delete moves to Trash with where it came from; delete from Trash is for good; restore puts it back", async () => {
    await fs.write("~/Documents", "doomed.txt", "bye");
    const del = await fs.post("/delete", { paths: ["~/Documents/doomed.txt"] });
    expect(del.status).toBe(200);
    const trashed = del.body[0];
    expect(trashed.path).toBe(`/${owner.address}/Trash/${trashed.uid}`);
    expect(JSON.parse(trashed.metadata)).toMatchObject({ original_name: "doomed.txt", original_path: `/${owner.address}/Documents/doomed.txt` });

    const restored = await t.node.services.trash.restore(owner.address, trashed.uid);
    expect(restored.path).toBe("/Documents/doomed.txt");
    expect(restored.metadata).toBeNull();

    await fs.post("/delete", { paths: ["~/Documents/doomed.txt"] });
    const uid = (await fs.post("/readdir", { path: "~/Trash" })).body.find((e: { metadata: string }) => e.metadata?.includes("doomed.txt")).uid;
    expect((await fs.post("/delete", { uid: uid })).body).toEqual({ ok: true, uid });
    expect((await fs.post("/stat", { uid })).status).toBe(404);
  });

  test("descendants_only on the Trash empties it", async () => {
    await fs.write("~/Documents", "t1.txt", "1");
    await fs.post("/delete", { paths: ["~/Documents/t1.txt"] });
    expect((await fs.names("~/Trash")).length).toBeGreaterThan(0);
    await fs.post("/delete", { paths: ["~/Trash"], descendants_only: true });
    expect(await fs.names("~/Trash")).toEqual([]);
  });
});

describe("isolation between wallets", () => {
  test("a member sees only their own files; another wallet's paths and uids do not exist for them", async () => {
    expect(await other.names("~")).toEqual(["Desktop", "Documents", "Pictures", "Public", "Trash"]);
    expect(await other.names("~/Documents")).toEqual([]);
    const ownerFile = (await fs.post("/stat", { path: "~/Documents/hello.txt" })).body;
    expect((await other.post("/stat", { path: `/${owner.address}/Documents/hello.txt` })).body.code).toBe("access_denied");
    expect((await other.post("/stat", { uid: ownerFile.uid })).status).toBe(404);
    expect((await other.read(ownerFile.uid)).status).toBe(404);
    expect((await other.post("/delete", { paths: [ownerFile.uid] })).status).toBe(404);
    expect((await other.post("/copy", { source: ownerFile.uid, destination: "~/Documents" })).status).toBe(404);
    expect((await other.post("/move", { source: "~/Documents", destination: ownerFile.parent_uid })).status).toBe(403);
    expect((await other.post("/search", { query: "hello" })).body).toEqual([]);
    expect((await fs.post("/search", { query: "hello" })).body.map((e: { name: string }) => e.name)).toContain("hello.txt");
  });

  test("df reports each wallet's own usage", async () => {
    const mine = (await fs.post("/df")).body;
    const theirs = (await other.post("/df")).body;
    expect(mine.used).toBeGreaterThan(0);
    expect(theirs.used).toBe(0);
    expect(mine.capacity).toBeGreaterThan(mine.used);
  });
});

describe("live events", () => {
  test("changes reach the owner's sockets subscribed to 'files', and nobody else's", async () => {
    const mine = await Pc2WsClient.connect(t.wsUrl, { headers: owner.bearer });
    const theirs = await Pc2WsClient.connect(t.wsUrl, { headers: member.bearer });
    await mine.subscribe(["files"]);
    await theirs.subscribe(["files"]);
    const leaked: unknown[] = [];
    for (const e of ["item.added", "item.removed", "item.moved", "item.updated", "item.renamed"]) theirs.on(e, (p) => leaked.push(p));

    const added = mine.next("item.added");
    await fs.write("~/Desktop", "live.txt", "x");
    expect(await added).toMatchObject({ name: "live.txt", path: `/${owner.address}/Desktop/live.txt` });
    const renamed = mine.next("item.renamed");
    await fs.post("/rename", { path: "~/Desktop/live.txt", new_name: "live2.txt" });
    expect(await renamed).toMatchObject({ name: "live2.txt", old_name: "live.txt" });
    const moved = mine.next("item.moved");
    await fs.post("/move", { source: "~/Desktop/live2.txt", destination: "~/Documents" });
    expect(await moved).toMatchObject({ moved: { name: "live2.txt" }, old_path: `/${owner.address}/Desktop/live2.txt` });
    const updated = mine.next("item.updated");
    await fs.write("~/Documents", "live2.txt", "y", { overwrite: "true" });
    expect(await updated).toMatchObject({ name: "live2.txt", size: 1 });
    const removed = mine.next("item.removed");
    const trashed = (await fs.post("/delete", { paths: ["~/Documents/live2.txt"] })).body[0];
    await fs.post("/delete", { uid: trashed.uid });
    expect(await removed).toMatchObject({ uid: trashed.uid });

    await Bun.sleep(50);
    expect(leaked).toEqual([]);
    mine.close();
    theirs.close();
  });
});

describe("batch (JSON form)", () => {
  test("ops run in order; a failing op gives 218 with a per-op error object", async () => {
    const r = await fs.post("/batch", {
      operations: [
        { op: "mkdir", path: "~/Documents/batch1" },
        { op: "mkdir", path: "~/Documents/batch1" },
        { op: "delete", path: "~/Documents/batch1" },
      ],
    });
    expect(r.status).toBe(218);
    expect(r.body.results[0]).toMatchObject({ name: "batch1", is_dir: true });
    expect(r.body.results[1]).toMatchObject({ error: true, status: 409, code: "item_with_same_name_exists" });
    expect(r.body.results[2]).toMatchObject({ name: expect.any(String) });
  });
});
