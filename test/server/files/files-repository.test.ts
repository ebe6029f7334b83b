// The file index's SQL on its own (server/services/files/files.repository.ts), on a real SQLite file
// with the node's migrations: every query scoped by wallet, the order and pages of a folder, subtree
// bounds that never catch a sibling whose name shares a prefix (nor the root itself), moves that
// rewrite a subtree (astral characters included), search outside the Trash with LIKE's wildcards
// taken literally, and quotas.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { closeDatabase, openDatabase } from "../../../server/db/database.ts";
import { migrate } from "../../../server/db/migrate.ts";
import { FilesRepository } from "../../../server/services/files/files.repository.ts";
import type { FsEntryRow } from "../../../server/services/files/fs-entry.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";

const dir = makeTempDir();
const db = openDatabase(`${dir.path}/pc2.db`);
migrate(db);
const repo = new FilesRepository(db);
afterAll(() => {
  closeDatabase(db);
  dir.remove();
});
beforeEach(() => {
  db.run("DELETE FROM fs_entries");
  db.run("DELETE FROM quotas");
});

const A = `0x${"a".repeat(40)}`;
const B = `0x${"b".repeat(40)}`;
let next = 0;
/** Insert an entry; its parent is found by path (insert parents first). */
function add(owner: string, path: string, fields: Partial<FsEntryRow> = {}): FsEntryRow {
  const parent = path === "/" ? null : repo.byPath(owner, path.slice(0, path.lastIndexOf("/")) || "/");
  const isDir = fields.is_dir ?? (path === "/" || !path.includes(".") ? 1 : 0);
  const row: FsEntryRow = {
    uid: fields.uid ?? `uid-${String(++next).padStart(5, "0")}`,
    owner,
    path,
    parent_uid: parent?.uid ?? null,
    name: path === "/" ? owner : path.slice(path.lastIndexOf("/") + 1),
    is_dir: isDir,
    size: isDir ? null : 1,
    mime: isDir ? null : "text/plain",
    cid: isDir ? null : `cid-${path}`,
    blob: isDir ? null : `blob-${next}`,
    immutable: 0,
    is_public: 0,
    metadata: null,
    created: 1,
    modified: 1,
    accessed: 1,
    ...fields,
  } as FsEntryRow;
  repo.insert(row);
  return row;
}
const paths = (rows: FsEntryRow[]) => rows.map((r) => r.path);
const names = (rows: FsEntryRow[]) => rows.map((r) => r.name);

describe("scoped by wallet", () => {
  test("the same path in two wallets: each sees its own; a uid of one is not found in the other", () => {
    add(A, "/");
    add(B, "/");
    const a = add(A, "/x.txt", { size: 5 });
    const b = add(B, "/x.txt", { size: 7 });
    expect(repo.byPath(A, "/x.txt")?.uid).toBe(a.uid);
    expect(repo.byPath(B, "/x.txt")?.uid).toBe(b.uid);
    expect(repo.byUid(A, b.uid)).toBeNull();
    expect(repo.byUid(B, b.uid)?.size).toBe(7);
    expect(repo.usage(A)).toBe(5);
    expect(repo.usage(B)).toBe(7);
    expect(repo.usage(`0x${"c".repeat(40)}`)).toBe(0);
    expect(paths(repo.descendants(A, "/"))).toEqual(["/x.txt"]);
    expect(repo.countChildren(A, repo.byPath(A, "/")!.uid)).toBe(1);
    // A child listed under another wallet's folder uid is not listed.
    expect(repo.children(B, repo.byPath(A, "/")!.uid)).toEqual([]);
  });
});

describe("a folder's entries", () => {
  const setUp = () => {
    add(A, "/");
    const root = repo.byPath(A, "/")!;
    add(A, "/b.txt", { size: 30, modified: 3, mime: "text/plain" });
    add(A, "/a.txt", { size: 10, modified: 2, mime: "text/plain" });
    add(A, "/C.png", { size: 20, modified: 5, mime: "image/png" });
    add(A, "/Dir", { modified: 4 });
    add(A, "/Dir/inner.txt", { size: 99 });
    return root;
  };

  test("by name ignoring case, by modified, by type (folders first, then mime), by size; each way up and down", () => {
    const root = setUp();
    const list = (sort: "name" | "modified" | "type" | "size", desc = false) => names(repo.children(A, root.uid, { sort, desc }));
    expect(list("name")).toEqual(["a.txt", "b.txt", "C.png", "Dir"]);
    expect(list("name", true)).toEqual(["Dir", "C.png", "b.txt", "a.txt"]);
    expect(names(repo.children(A, root.uid))).toEqual(["a.txt", "b.txt", "C.png", "Dir"]);
    expect(list("modified")).toEqual(["a.txt", "b.txt", "Dir", "C.png"]);
    expect(list("modified", true)).toEqual(["C.png", "Dir", "b.txt", "a.txt"]);
    // By type: folders, then by mime; the two text files tie and go by uid (b.txt was added first).
    expect(list("type")).toEqual(["Dir", "C.png", "b.txt", "a.txt"]);
    expect(list("type", true)).toEqual(["Dir", "b.txt", "a.txt", "C.png"]);
    expect(list("size")).toEqual(["Dir", "a.txt", "C.png", "b.txt"]);
    expect(list("size", true)).toEqual(["b.txt", "C.png", "a.txt", "Dir"]);
  });

  test("folders first when asked, whatever the order", () => {
    const root = setUp();
    expect(names(repo.children(A, root.uid, { sort: "name", foldersFirst: true }))).toEqual(["Dir", "a.txt", "b.txt", "C.png"]);
    expect(names(repo.children(A, root.uid, { sort: "size", desc: true, foldersFirst: true }))).toEqual(["Dir", "b.txt", "C.png", "a.txt"]);
  });

  test("ties are broken by uid, the same way up and down, so pages never overlap", () => {
    add(A, "/");
    const root = repo.byPath(A, "/")!;
    for (const uid of ["u3", "u1", "u2"]) add(A, `/same-${uid}.txt`, { uid, modified: 7, size: 1 });
    expect(repo.children(A, root.uid, { sort: "modified" }).map((r) => r.uid)).toEqual(["u1", "u2", "u3"]);
    expect(repo.children(A, root.uid, { sort: "modified", desc: true }).map((r) => r.uid)).toEqual(["u1", "u2", "u3"]);
    const pages = [0, 1, 2].map((offset) => repo.children(A, root.uid, { sort: "size", limit: 1, offset }).map((r) => r.uid));
    expect(pages).toEqual([["u1"], ["u2"], ["u3"]]);
  });

  test("a page: limit and offset; -1 is all", () => {
    const root = setUp();
    expect(names(repo.children(A, root.uid, { limit: 2 }))).toEqual(["a.txt", "b.txt"]);
    expect(names(repo.children(A, root.uid, { limit: 2, offset: 2 }))).toEqual(["C.png", "Dir"]);
    expect(names(repo.children(A, root.uid, { limit: 2, offset: 4 }))).toEqual([]);
    expect(names(repo.children(A, root.uid, { limit: -1, offset: 1 }))).toEqual(["b.txt", "C.png", "Dir"]);
    expect(repo.countChildren(A, root.uid)).toBe(4);
  });
});

describe("subtrees", () => {
  const tree = () => {
    add(A, "/");
    add(A, "/a");
    add(A, "/a/x.txt", { size: 2 });
    add(A, "/a/sub");
    add(A, "/a/sub/y.txt", { size: 3 });
    // Siblings whose names share the prefix, on both sides of "/" in byte order.
    add(A, "/a-b.txt", { size: 100 });
    add(A, "/a.b.txt", { size: 200 });
    add(A, "/a0.txt", { size: 400 });
    add(A, "/ab.txt", { size: 800 });
  };

  test("what is below a folder: its whole subtree, parents first, never a look-alike sibling, never the folder itself", () => {
    tree();
    expect(paths(repo.descendants(A, "/a"))).toEqual(["/a/sub", "/a/sub/y.txt", "/a/x.txt"]);
    expect(repo.subtreeSize(A, "/a")).toBe(5);
    expect(repo.subtreeSize(A, "/a/sub")).toBe(3);
    expect(repo.subtreeSize(A, "/a/x.txt")).toBe(0);
    // Below the root: everything but the root.
    expect(paths(repo.descendants(A, "/"))).not.toContain("/");
    expect(repo.descendants(A, "/")).toHaveLength(8);
    expect(repo.subtreeSize(A, "/")).toBe(1505);
  });

  test("usage is kept by the database as rows come and go: always the sum of the wallet's file sizes, folders none", () => {
    const summed = (owner: string) => (db.query("SELECT coalesce(sum(size), 0) AS n FROM fs_entries WHERE owner = ? AND is_dir = 0").get(owner) as { n: number }).n;
    const both = () => [repo.usage(A), summed(A), repo.usage(B), summed(B)];
    tree();
    add(B, "/");
    add(B, "/b.txt", { size: 9 });
    expect(both()).toEqual([1505, 1505, 9, 9]);
    // New content for a file; a size not known yet (0); a folder that somehow has a size counts nothing.
    repo.replaceContent(repo.byPath(A, "/a0.txt")!.uid, 4000, "text/plain", "cid", "blob", 1);
    add(A, "/pending.txt", { size: null });
    db.query("UPDATE fs_entries SET size = 77 WHERE owner = ? AND path = '/a/sub'").run(A);
    add(A, "/sized-folder", { is_dir: 1, size: 55 });
    db.query("UPDATE fs_entries SET size = 1 WHERE owner = ? AND path = '/sized-folder'").run(A);
    expect(both()).toEqual([5105, 5105, 9, 9]);
    // A folder moved: nothing changes; a folder deleted: its files' bytes go.
    const a = repo.byPath(A, "/a")!;
    repo.relocate(A, a.uid, "/a", "/moved", repo.byPath(A, "/")!.uid, "moved", null, 2);
    expect(both()).toEqual([5105, 5105, 9, 9]);
    repo.deleteTree(A, repo.byPath(A, "/moved")!);
    expect(both()).toEqual([5100, 5100, 9, 9]);
    // A row that changes wallet or kind (no code does; the triggers still hold).
    db.query("UPDATE fs_entries SET owner = ? WHERE owner = ? AND path = '/ab.txt'").run(B, A);
    db.query("UPDATE fs_entries SET is_dir = 1 WHERE owner = ? AND path = '/a-b.txt'").run(A);
    expect(both()).toEqual([4200, 4200, 809, 809]);
    db.run("DELETE FROM fs_entries");
    expect(both()).toEqual([0, 0, 0, 0]);
  });

  test("deleting a folder removes its subtree and returns every row; a file alone; nothing else goes", () => {
    tree();
    const removed = repo.deleteTree(A, repo.byPath(A, "/a")!);
    expect(paths(removed)).toEqual(["/a", "/a/sub", "/a/sub/y.txt", "/a/x.txt"]);
    expect(paths(repo.descendants(A, "/")).sort()).toEqual(["/a-b.txt", "/a.b.txt", "/a0.txt", "/ab.txt"]);
    const alone = repo.deleteTree(A, repo.byPath(A, "/ab.txt")!);
    expect(alone).toHaveLength(1);
    expect(alone[0]!.path).toBe("/ab.txt");
    expect(repo.byPath(A, "/a0.txt")).not.toBeNull();
    // Another wallet's entries at the same paths are not touched.
    add(B, "/");
    add(B, "/a");
    add(B, "/a/x.txt");
    add(A, "/a");
    add(A, "/a/x.txt");
    repo.deleteTree(A, repo.byPath(A, "/a")!);
    expect(paths(repo.descendants(B, "/a"))).toEqual(["/a/x.txt"]);
  });

  test("moving a folder rewrites its subtree's paths (astral characters too), and nothing outside it", () => {
    add(A, "/");
    add(A, "/📁");
    add(A, "/📁/a.txt");
    add(A, "/📁/in");
    add(A, "/📁/in/b.txt");
    add(A, "/📁x.txt");
    add(A, "/dest");
    add(B, "/");
    add(B, "/📁");
    add(B, "/📁/a.txt");
    const moving = repo.byPath(A, "/📁")!;
    repo.relocate(A, moving.uid, "/📁", "/dest/🗂️", repo.byPath(A, "/dest")!.uid, "🗂️", '{"k":1}', 99);
    const moved = repo.byUid(A, moving.uid)!;
    expect([moved.path, moved.name, moved.metadata, moved.modified, moved.parent_uid]).toEqual(["/dest/🗂️", "🗂️", '{"k":1}', 99, repo.byPath(A, "/dest")!.uid]);
    expect(paths(repo.descendants(A, "/dest/🗂️"))).toEqual(["/dest/🗂️/a.txt", "/dest/🗂️/in", "/dest/🗂️/in/b.txt"]);
    expect(repo.byPath(A, "/📁x.txt")).not.toBeNull();
    expect(paths(repo.descendants(B, "/📁"))).toEqual(["/📁/a.txt"]);
  });

  test("unsharing a tree: the entry and everything below it, not a look-alike sibling, not another wallet", () => {
    tree();
    add(B, "/");
    add(B, "/a");
    for (const [owner, p] of [
      [A, "/a"],
      [A, "/a/x.txt"],
      [A, "/a/sub/y.txt"],
      [A, "/a0.txt"],
      [A, "/a-b.txt"],
      [B, "/a"],
    ] as const)
      repo.setPublic(repo.byPath(owner, p)!.uid, true);
    repo.unpublishTree(A, "/a");
    const isPublic = (owner: string, p: string) => repo.byPath(owner, p)!.is_public;
    expect([isPublic(A, "/a"), isPublic(A, "/a/x.txt"), isPublic(A, "/a/sub/y.txt")]).toEqual([0, 0, 0]);
    expect([isPublic(A, "/a0.txt"), isPublic(A, "/a-b.txt"), isPublic(B, "/a")]).toEqual([1, 1, 1]);
    repo.setPublic(repo.byPath(A, "/a0.txt")!.uid, false);
    expect(isPublic(A, "/a0.txt")).toBe(0);
  });
});

describe("content, search and CIDs", () => {
  test("new content for a file: size, type, CID, blob and times; nothing else changes", () => {
    add(A, "/");
    const f = add(A, "/f.txt", { size: 1, created: 5, modified: 5, accessed: 5 });
    const other = add(A, "/g.txt", { size: 1 });
    repo.replaceContent(f.uid, 42, "application/json", "cid-new", "blob-new", 77);
    const r = repo.byUid(A, f.uid)!;
    expect([r.size, r.mime, r.cid, r.blob, r.modified, r.accessed, r.created, r.path]).toEqual([42, "application/json", "cid-new", "blob-new", 77, 77, 5, "/f.txt"]);
    expect(repo.byUid(A, other.uid)!.size).toBe(1);
  });

  test("search: a part of the name in any case, outside the Trash, by name, at most `limit`; % _ and \\ are literal", () => {
    add(A, "/");
    add(A, "/Trash");
    add(A, "/Trash/report-old.txt");
    add(A, "/Reports");
    add(A, "/Reports/Annual REPORT.txt");
    add(A, "/report.md");
    add(A, "/100%.txt");
    add(A, "/1000.txt");
    add(A, "/a_b.txt");
    add(A, "/axb.txt");
    add(A, "/back\\slash.txt");
    add(B, "/");
    add(B, "/report-b.txt");
    expect(names(repo.searchByName(A, "report", 10))).toEqual(["Annual REPORT.txt", "report.md", "Reports"]);
    expect(names(repo.searchByName(A, "report", 2))).toEqual(["Annual REPORT.txt", "report.md"]);
    expect(names(repo.searchByName(A, "100%", 10))).toEqual(["100%.txt"]);
    expect(names(repo.searchByName(A, "a_b", 10))).toEqual(["a_b.txt"]);
    expect(names(repo.searchByName(A, "\\", 10))).toEqual(["back\\slash.txt"]);
    expect(names(repo.searchByName(A, "Trash", 10))).toEqual([]);
  });

  test("CIDs: in use by anyone, counted once, files only", () => {
    add(A, "/");
    add(B, "/");
    add(A, "/one.txt", { cid: "cid-shared" });
    add(B, "/two.txt", { cid: "cid-shared" });
    add(A, "/three.txt", { cid: "cid-own" });
    add(A, "/folder", { cid: "cid-dir" });
    expect(repo.cidInUse("cid-shared")).toBe(true);
    expect(repo.cidInUse("cid-none")).toBe(false);
    expect(repo.distinctCids()).toBe(3);
    expect(
      repo
        .byCid("cid-shared")
        .map((r) => r.owner)
        .sort(),
    ).toEqual([A, B]);
    expect(repo.byCid("cid-dir")).toEqual([]);
    expect(paths(repo.allFiles()).sort()).toEqual(["/one.txt", "/three.txt", "/two.txt"]);
  });
});

test("quotas: none until set, replaced when set again, gone when cleared; one wallet's is not another's", () => {
  expect(repo.quota(A)).toBeNull();
  repo.setQuota(A, 1000, 1);
  repo.setQuota(A, 0, 2);
  expect(repo.quota(A)).toBe(0);
  expect(repo.quota(B)).toBeNull();
  repo.setQuota(B, 5, 3);
  repo.setQuota(A, null, 4);
  expect(repo.quota(A)).toBeNull();
  expect(repo.quota(B)).toBe(5);
  expect(db.query<{ updated_at: number }, [string]>("SELECT updated_at FROM quotas WHERE owner = ?").get(B)!.updated_at).toBe(3);
});
