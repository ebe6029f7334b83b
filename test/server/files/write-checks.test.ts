// What a write checks, and when: the quota (an overwrite counts the bytes it replaces as free, when
// the body starts and again at commit; two writes that each fit but not together cannot both land);
// a bad destination refused before the body is read; a folder that appears during an upload; and no
// pin left behind by a write that failed.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { filesClient } from "../../helpers/files-client.ts";
import { sendJson } from "../../helpers/send-json.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { httpFetcher, ownerAdminMember, type SignedIn } from "../../helpers/wallet-auth.ts";

const KiB = 1024;
let t: TestNode;
let owner: SignedIn;
let admin: SignedIn;

beforeAll(async () => {
  t = await startTestNode();
  ({ owner, admin } = await ownerAdminMember(httpFetcher(t.url), t.started.setup.code!));
});
afterAll(() => t.stop());

const setQuota = async (bytes: number | null) => expect((await sendJson(t.url, owner, "PUT", `/api/files/quotas/${admin.address}`, { bytes })).status).toBe(200);
const used = async () => (await sendJson(t.url, admin, "GET", "/api/files/quota")).body.used as number;

test("overwriting a file near the quota counts the bytes it replaces as free; a new name of the same size does not fit", async () => {
  const fs = filesClient(httpFetcher(t.url), admin);
  const base = await used();
  await setQuota(base + 1000);
  try {
    expect((await fs.write("~/Documents", "near.bin", new Uint8Array(600))).status).toBe(200);
    // 600 used, 400 free: 700 bytes fit only over the 600 they replace (1000 exactly, then 900).
    expect((await fs.write("~/Documents", "near.bin", new Uint8Array(1000), { overwrite: "true" })).status).toBe(200);
    expect((await fs.write("~/Documents", "near.bin", new Uint8Array(900), { overwrite: "true" })).status).toBe(200);
    expect(await used()).toBe(base + 900);
    const other = await fs.write("~/Documents", "other.bin", new Uint8Array(700));
    expect([other.status, other.body.code, other.body.available]).toEqual([413, "storage_quota_exceeded", 100]);
    // One byte past the quota, even over the file it replaces.
    const over = await fs.write("~/Documents", "near.bin", new Uint8Array(1001), { overwrite: "true" });
    expect([over.status, over.body.code]).toEqual([413, "storage_quota_exceeded"]);
    expect(await used()).toBe(base + 900);
  } finally {
    await setQuota(null);
  }
});

/** A multipart /write whose file part is sent now and finished only when `finish` is called. */
function heldWrite(name: string, bytes: number, dir = "~/Documents", fields: Record<string, string> = {}, fill = 5) {
  const boundary = `held-${crypto.randomUUID()}`;
  const enc = new TextEncoder();
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const body = new ReadableStream<Uint8Array>({
    async start(c) {
      c.enqueue(enc.encode(`--${boundary}\r\ncontent-disposition: form-data; name="path"\r\n\r\n${dir}\r\n`));
      for (const [k, v] of Object.entries(fields)) c.enqueue(enc.encode(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
      c.enqueue(enc.encode(`--${boundary}\r\ncontent-disposition: form-data; name="name"\r\n\r\n${name}\r\n`));
      c.enqueue(enc.encode(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: application/octet-stream\r\n\r\n`));
      c.enqueue(new Uint8Array(bytes).fill(fill));
      await done;
      c.enqueue(enc.encode(`\r\n--${boundary}--\r\n`));
      c.close();
    },
  });
  const response = fetch(`${t.url}/write`, {
    method: "POST",
    headers: { ...admin.bearer, "content-type": `multipart/form-data; boundary=${boundary}` },
    body,
    duplex: "half",
  } as RequestInit);
  return { response, finish };
}

test("two writes that each fit but not together: both bodies start within the quota, only one commits", async () => {
  const base = await used();
  await setQuota(base + 1024 * KiB);
  const tmp = join(t.dataDir, "tmp");
  const uploads = () => readdirSync(tmp).filter((n) => n.startsWith("upload-")).length;
  try {
    // 600 KiB each: more than a held small body, so each has its temp file once its bytes land.
    const a = heldWrite("race-a.bin", 600 * KiB);
    const b = heldWrite("race-b.bin", 600 * KiB);
    for (let i = 0; i < 500 && uploads() < 2; i++) await Bun.sleep(10);
    expect(uploads()).toBe(2);
    a.finish();
    b.finish();
    const results = await Promise.all(
      [a.response, b.response].map(async (r) => {
        const res = await r;
        const body = (await res.json()) as { code?: string; available?: number };
        return { status: res.status, code: body.code, available: body.available };
      }),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 413]);
    // What is left once the other landed: 1024 − 600 KiB.
    expect(results.find((r) => r.status === 413)).toEqual({ status: 413, code: "storage_quota_exceeded", available: 424 * KiB });
    expect(await used()).toBe(base + 600 * KiB);
    // The refused one left nothing behind.
    for (let i = 0; i < 100 && uploads() > 0; i++) await Bun.sleep(10);
    expect(uploads()).toBe(0);
  } finally {
    await setQuota(null);
  }
});

test("an overwrite that no longer fits at commit is told what is left, counting the bytes it would have freed", async () => {
  const base = await used();
  const fs = filesClient(httpFetcher(t.url), admin);
  expect((await fs.write("~/Documents", "replaced.bin", new Uint8Array(100 * KiB))).status).toBe(200);
  await setQuota(base + 1024 * KiB);
  const tmp = join(t.dataDir, "tmp");
  const uploads = () => readdirSync(tmp).filter((n) => n.startsWith("upload-")).length;
  try {
    // Alone, each fits: a new 500 KiB file; the 100 KiB file replaced by 600 KiB.
    const added = heldWrite("added.bin", 500 * KiB);
    const over = heldWrite("replaced.bin", 600 * KiB, "~/Documents", { overwrite: "true" });
    for (let i = 0; i < 500 && uploads() < 2; i++) await Bun.sleep(10);
    expect(uploads()).toBe(2);
    added.finish();
    expect((await added.response).status).toBe(200);
    over.finish();
    const res = await over.response;
    // 1024 KiB − (100 + 500) used + the 100 KiB the overwrite would free.
    expect([res.status, await res.json()]).toEqual([413, expect.objectContaining({ code: "storage_quota_exceeded", available: 524 * KiB })]);
    expect(await used()).toBe(base + 600 * KiB);
  } finally {
    await setQuota(null);
  }
});

/** The answer, or "no answer" if none came within `ms` (the body still held). */
async function answerWithin(response: Promise<Response>, ms: number): Promise<{ status: number; code?: string } | "no answer"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"no answer">((r) => (timer = setTimeout(() => r("no answer"), ms)));
  const got = await Promise.race([response, late]);
  clearTimeout(timer);
  return got === "no answer" ? got : { status: got.status, code: ((await got.json()) as { code?: string }).code };
}

test("a bad destination is refused while the body is still on its way, not after it", async () => {
  const fs = filesClient(httpFetcher(t.url), admin);
  expect((await fs.write("~/Documents", "plain.txt", new Uint8Array(3))).status).toBe(200);
  expect((await fs.post("/mkdir", { parent: "~/Documents", path: "a-folder" })).status).toBe(200);
  const cases = [
    ["~/Documents/no-such-folder", {}, "dest_does_not_exist"],
    ["~/Documents/plain.txt", {}, "dest_is_not_a_directory"],
  ] as const;
  for (const [dir, fields, code] of cases) {
    const held = heldWrite("x.bin", 10, dir, fields);
    const answer = await answerWithin(held.response, 5000);
    held.finish();
    expect(answer === "no answer" ? answer : answer.code).toBe(code);
  }
  const overFolder = heldWrite("a-folder", 10, "~/Documents", { overwrite: "true" });
  const answer = await answerWithin(overFolder.response, 5000);
  overFolder.finish();
  expect(answer).toEqual({ status: 409, code: "cannot_overwrite_a_directory" });
});

test("a folder that appears under the file's name while it uploads is not overwritten, and the bytes it placed are removed", async () => {
  const fs = filesClient(httpFetcher(t.url), admin);
  const dir = join(t.dataDir, "files", admin.address);
  const blobs = () => (existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length : 0);
  const blobsBefore = blobs();
  const held = heldWrite("appears.bin", 10, "~/Documents", { overwrite: "true" });
  // The body has started (its destination checked) before the folder exists.
  expect(await answerWithin(held.response, 300)).toBe("no answer");
  expect((await fs.post("/mkdir", { parent: "~/Documents", path: "appears.bin" })).status).toBe(200);
  held.finish();
  const res = await held.response;
  expect([res.status, await res.json()]).toEqual([409, expect.objectContaining({ code: "cannot_overwrite_a_directory", message: "A folder with this name exists", entry_name: "appears.bin" })]);
  const stat = await fs.post("/stat", { path: "~/Documents/appears.bin" });
  expect((stat.body as { is_dir: boolean }).is_dir).toBe(true);
  // The bytes it had already placed are removed with it.
  expect(blobs()).toBe(blobsBefore);
});

test("a write refused at commit leaves no pin; one whose bytes another file has keeps it", async () => {
  const ipfs = t.node.services.ipfs;
  const fs = filesClient(httpFetcher(t.url), admin);
  expect((await fs.post("/mkdir", { parent: "~/Documents", path: "pins" })).status).toBe(200);
  expect((await fs.write("~/Documents/pins", "kept.bin", new Uint8Array(5))).status).toBe(200);
  const pinsBefore = new Set(await ipfs.pins());
  // Two uploads start while their names are free; the names are taken before they end (no
  // overwrite, no dedupe), so both are refused at commit, after their bytes were imported and pinned.
  const unique = heldWrite("late-a.bin", 300 * KiB, "~/Documents/pins", {}, 99);
  const shared = heldWrite("late-b.bin", 5, "~/Documents/pins", {}, 0);
  expect(await answerWithin(unique.response, 300)).toBe("no answer");
  for (const name of ["late-a.bin", "late-b.bin"]) expect((await fs.write("~/Documents/pins", name, new Uint8Array([1, 2, 3]))).status).toBe(200);
  const third = (await ipfs.pins()).filter((c) => !pinsBefore.has(c));
  unique.finish();
  shared.finish();
  for (const r of [unique, shared]) expect((await r.response).status).toBe(409);
  const expected = new Set([...pinsBefore, ...third]);
  let pins: string[] = [];
  for (let i = 0; i < 100; i++) {
    pins = await ipfs.pins();
    if (pins.length === expected.size) break;
    await Bun.sleep(20);
  }
  // The 5 zero bytes are kept.bin's too: still pinned. The 300 KiB of 99s: unpinned.
  expect(new Set(pins)).toEqual(expected);
});

test("a write tells the desktop what changed: new folders and the file added, an overwrite updated in place and its old bytes removed, bytes counted", async () => {
  const fs = filesClient(httpFetcher(t.url), admin);
  const changes: { event: string; path?: string }[] = [];
  const written: number[] = [];
  const offChanged = t.node.ctx.events.on("files.changed", ({ owner, event, payload }) => {
    if (owner === admin.address) changes.push({ event, path: (payload as { path?: string }).path });
  });
  const offWritten = t.node.ctx.events.on("files.written", ({ owner, bytes }) => void (owner === admin.address && written.push(bytes)));
  try {
    const home = `/${admin.address}/Documents`;
    expect((await fs.write("~/Documents/new-a/new-b", "f.txt", new Uint8Array(7), { create_missing_parents: "true" })).status).toBe(200);
    expect(changes).toEqual([
      { event: "item.added", path: `${home}/new-a` },
      { event: "item.added", path: `${home}/new-a/new-b` },
      { event: "item.added", path: `${home}/new-a/new-b/f.txt` },
    ]);
    changes.length = 0;
    const before = (await fs.post("/stat", { path: "~/Documents/new-a/new-b/f.txt" })).body as { uid: string };
    const blobs = () => readdirSync(join(t.dataDir, "files", admin.address), { recursive: true }).filter((p) => String(p).includes("/")).length;
    const blobsBefore = blobs();
    expect((await fs.write("~/Documents/new-a/new-b", "f.txt", new Uint8Array(9), { overwrite: "true" })).status).toBe(200);
    expect(changes).toEqual([{ event: "item.updated", path: `${home}/new-a/new-b/f.txt` }]);
    const after = (await fs.post("/stat", { path: "~/Documents/new-a/new-b/f.txt" })).body as { uid: string; size: number };
    expect([after.uid, after.size]).toEqual([before.uid, 9]);
    expect(blobs()).toBe(blobsBefore); // the new blob in, the old one out
    expect(written).toEqual([7, 9]);
  } finally {
    offChanged();
    offWritten();
  }
});
