// The Trash on its own (server/services/files/trash.service.ts), on a real node's storage: what a
// delete records, the order the Trash lists in, emptying a folder's contents or the Trash itself,
// restoring (only from directly in the Trash, folders made again), and emptying with its garbage
// collection. Each test uses a wallet of its own.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { FileWriter } from "../../../server/services/files/file-writer.ts";
import type { FilesService } from "../../../server/services/files/files.service.ts";
import { parseTrashInfo } from "../../../server/services/files/trash-info.ts";
import type { TrashService } from "../../../server/services/files/trash.service.ts";
import { refusalOf as refusal } from "../../helpers/refusal.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";

let t: TestNode;
let files: FilesService;
let trash: TrashService;
let writer: FileWriter;

beforeAll(async () => {
  t = await startTestNode();
  ({ files, trash, writer } = t.node.services);
});
afterAll(() => t.stop());

const newWallet = () => `0x${crypto.randomUUID().replaceAll("-", "").padEnd(40, "0")}`;
async function put(owner: string, path: string, text = path): Promise<void> {
  async function* body() {
    yield new TextEncoder().encode(text);
  }
  await writer.write(owner, path, body(), { createParents: true, overwrite: false, dedupe: false });
}
const at = (owner: string, path: string) => files.entryAt(owner, path);
const trashed = (owner: string) => trash.list(owner).map((e) => parseTrashInfo(e.metadata).original_name);
test("a delete moves the entry into the Trash under its uid, with its name, where it was (display form) and when", async () => {
  const owner = newWallet();
  await put(owner, "/Documents/report.txt");
  const uid = at(owner, "/Documents/report.txt")!.uid;
  const before = Math.floor(Date.now() / 1000);
  const [row] = trash.delete(owner, [{ path: "~/Documents/report.txt" }]);
  const after = Math.ceil(Date.now() / 1000);
  expect(row!.path).toBe(`/Trash/${uid}`);
  expect(at(owner, "/Documents/report.txt")).toBeNull();
  const info = parseTrashInfo(row!.metadata);
  expect([info.original_name, info.original_path]).toEqual(["report.txt", `/${owner}/Documents/report.txt`]);
  // Seconds since the epoch, as Puter's desktop reads it.
  expect(info.trashed_ts).toBeGreaterThanOrEqual(before);
  expect(info.trashed_ts).toBeLessThanOrEqual(after);
});

test("the Trash lists the most recently deleted first", async () => {
  const owner = newWallet();
  const names = ["one.txt", "two.txt", "three.txt", "four.txt", "five.txt"];
  for (const n of names) await put(owner, `/Documents/${n}`);
  for (const n of names) {
    trash.delete(owner, [{ path: `~/Documents/${n}` }]);
    await Bun.sleep(5); // distinct modification times
  }
  expect(trashed(owner)).toEqual([...names].reverse());
});

test("a name in the Trash that is already an entry's uid (put there by the user) makes that delete fail, and loses nothing", async () => {
  const owner = newWallet();
  await put(owner, "/Documents/keep.txt", "keep");
  const uid = at(owner, "/Documents/keep.txt")!.uid;
  await put(owner, `/Trash/${uid}`, "planted");
  expect(refusal(() => trash.delete(owner, [{ path: "~/Documents/keep.txt" }])).status).toBe(409);
  expect(at(owner, "/Documents/keep.txt")?.size).toBe(4);
  expect(at(owner, `/Trash/${uid}`)?.size).toBe(7);
  expect(trash.list(owner)).toHaveLength(1);
});

test("the home folders and the Trash itself cannot be deleted", () => {
  const owner = newWallet();
  for (const path of ["~/Documents", "~/Trash"]) expect(refusal(() => trash.delete(owner, [{ path }])).code).toBe("immutable");
  expect(at(owner, "/Documents")?.is_dir).toBe(1);
});

test("descendants only: a folder's contents go to the Trash and the folder stays; on a file it is refused; on the Trash it empties it", async () => {
  const owner = newWallet();
  await put(owner, "/Documents/box/a.txt");
  await put(owner, "/Documents/box/b.txt");
  await put(owner, "/Documents/loose.txt");
  const done = trash.delete(owner, [{ path: "~/Documents/box" }], true);
  expect(done.map((e) => parseTrashInfo(e.metadata).original_name).sort()).toEqual(["a.txt", "b.txt"]);
  expect(at(owner, "/Documents/box")?.is_dir).toBe(1);
  expect(files.children(owner, at(owner, "/Documents/box")!)).toEqual([]);
  expect(refusal(() => trash.delete(owner, [{ path: "~/Documents/loose.txt" }], true))).toEqual({ status: 400, code: "dest_is_not_a_directory", message: "descendants_only needs a folder" });
  expect(at(owner, "/Documents/loose.txt")).not.toBeNull();
  // The Trash's own contents, descendants only: deleted for good, the Trash stays.
  expect(trash.delete(owner, [{ path: "~/Trash" }], true)).toEqual([]);
  expect(trash.list(owner)).toEqual([]);
  expect(at(owner, "/Trash")?.is_dir).toBe(1);
  // A folder that is not the Trash is never emptied for good by it.
  await put(owner, "/Documents/box/c.txt");
  trash.delete(owner, [{ path: "~/Documents/box" }], true);
  expect(trashed(owner)).toEqual(["c.txt"]);
});

test("restore puts an entry back where it was, making its folders again; only from directly in the Trash", async () => {
  const owner = newWallet();
  await put(owner, "/Documents/deep/er/note.txt");
  const [note] = trash.delete(owner, [{ path: "~/Documents/deep/er/note.txt" }]);
  // The folders it was in are deleted for good meanwhile.
  const [deep] = trash.delete(owner, [{ path: "~/Documents/deep" }]);
  trash.delete(owner, [{ uid: deep!.uid }]);
  expect(at(owner, "/Documents/deep")).toBeNull();
  // (A delete of what is in the Trash is for good.)
  expect(trash.list(owner).map((e) => e.uid)).toEqual([note!.uid]);
  const back = trash.restore(owner, { uid: note!.uid });
  expect(back.path).toBe("/Documents/deep/er/note.txt");
  expect(at(owner, "/Documents/deep/er")?.is_dir).toBe(1);
  // Its place taken meanwhile: restored beside it under a new name, the other file untouched.
  const [again] = trash.delete(owner, [{ path: "~/Documents/deep/er/note.txt" }]);
  await put(owner, "/Documents/deep/er/note.txt", "newer");
  const beside = trash.restore(owner, { uid: again!.uid });
  expect(beside.path).not.toBe("/Documents/deep/er/note.txt");
  expect(beside.path.startsWith("/Documents/deep/er/note")).toBe(true);
  expect(at(owner, "/Documents/deep/er/note.txt")?.size).toBe(5);
  // Not in the Trash, or inside a trashed folder: refused with the reason.
  expect(refusal(() => trash.restore(owner, { path: "~/Documents/deep/er/note.txt" }))).toEqual({ status: 400, code: "not_in_trash", message: "Only items directly in the Trash can be restored" });
  await put(owner, "/Documents/folder/inner.txt");
  const [folder] = trash.delete(owner, [{ path: "~/Documents/folder" }]);
  expect(refusal(() => trash.restore(owner, { path: `~/Trash/${folder!.uid}/inner.txt` })).code).toBe("not_in_trash");
});

test("emptying deletes everything in the Trash for good and collects garbage once; an empty Trash collects none", async () => {
  const owner = newWallet();
  const collect = files.collectGarbage;
  let collected = 0;
  files.collectGarbage = () => {
    collected++;
    collect.call(files);
  };
  try {
    expect(trash.empty(owner)).toBe(0);
    expect(collected).toBe(0);
    await put(owner, "/Documents/x.txt");
    await put(owner, "/Documents/y.txt");
    trash.delete(owner, [{ path: "~/Documents/x.txt" }, { path: "~/Documents/y.txt" }]);
    expect(trash.empty(owner)).toBe(2);
    expect(collected).toBe(1);
    expect(trash.list(owner)).toEqual([]);
  } finally {
    files.collectGarbage = collect;
  }
});
