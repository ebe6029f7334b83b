import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { unzipSync } from "fflate";
import { readdirSync, statSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { INLINE_MAX_BYTES } from "../../../server/services/files/inline-blobs.ts";
import { filesClient } from "../../helpers/files-client.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { addUser, claimOwner, httpFetcher, type Fetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

let t: TestNode;
let f: Fetcher;
let owner: SignedIn;
let member: SignedIn;
let fs: ReturnType<typeof filesClient>;
const json = (who: SignedIn, method: string, body?: unknown): RequestInit => ({
  method,
  headers: { ...who.bearer, "content-type": "application/json" },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});
const call = async (path: string, init: RequestInit) => {
  const res = await f(path, init);
  return { status: res.status, body: await res.json(), headers: res.headers };
};

beforeAll(async () => {
  t = await startTestNode();
  f = httpFetcher(t.url);
  owner = await claimOwner(f, t.started.setup.code!);
  member = await addUser(f, owner, "member");
  fs = filesClient(f, owner);
});
afterAll(() => t.stop());

describe("Trash API and search", () => {
  test("list shows where each item came from; restore puts it back; empty removes all", async () => {
    await fs.write("~/Documents", "report.txt", "r");
    await fs.post("/delete", { paths: ["~/Documents/report.txt"] });
    const list = await call("/api/files/trash", json(owner, "GET"));
    expect(list.body.items[0].trash).toMatchObject({ original_name: "report.txt", original_path: `/${owner.address}/Documents/report.txt` });
    const restored = await call("/api/files/trash/restore", json(owner, "POST", { uid: list.body.items[0].uid }));
    expect(restored.body.entry.path).toBe(`/${owner.address}/Documents/report.txt`);
    // Restoring onto a taken name picks a fresh one.
    await fs.post("/delete", { paths: ["~/Documents/report.txt"] });
    await fs.write("~/Documents", "report.txt", "newer");
    const uid = (await call("/api/files/trash", json(owner, "GET"))).body.items[0].uid;
    expect((await call("/api/files/trash/restore", json(owner, "POST", { uid }))).body.entry.name).toBe("report (1).txt");
    expect((await call("/api/files/trash/restore", json(owner, "POST", { path: "~/Documents/report.txt" }))).body.code).toBe("not_in_trash");
    await fs.post("/delete", { paths: ["~/Documents/report (1).txt", "~/Documents/report.txt"] });
    expect((await call("/api/files/trash/empty", json(owner, "POST"))).body).toEqual({ removed: 2 });
    expect((await call("/api/files/trash", json(owner, "GET"))).body.items).toEqual([]);
  });

  test("search by name, case-insensitive, outside the Trash", async () => {
    await fs.write("~/Pictures", "Holiday-Beach.jpg", "jpg");
    await fs.write("~/Documents", "beachball.txt", "b");
    const r = await call("/api/files/search?q=BEACH", json(owner, "GET"));
    expect(r.body.items.map((e: { name: string }) => e.name).sort()).toEqual(["Holiday-Beach.jpg", "beachball.txt"]);
    expect((await call("/api/files/search?q=%25", json(owner, "GET"))).body.items).toEqual([]); // % is literal, not a wildcard
    expect((await call("/api/files/search?q=", json(owner, "GET"))).status).toBe(400);
  });
});

describe("resumable uploads", () => {
  const data = new Uint8Array(3_000_000).map((_, i) => (i * 31) % 256);

  test("create, put chunks, resume after a dropped connection, complete", async () => {
    const created = await call("/api/files/uploads", json(owner, "POST", { path: "~/Documents/big.bin", size: data.length }));
    expect(created.status).toBe(201);
    const id = created.body.id;
    const put = (offset: number, chunk: Uint8Array<ArrayBuffer>) =>
      f(`/api/files/uploads/${id}?offset=${offset}`, { method: "PUT", headers: { ...owner.bearer, "content-type": "application/octet-stream" }, body: chunk });
    expect((await (await put(0, data.subarray(0, 1_000_000))).json()).offset).toBe(1_000_000);

    // A second chunk whose connection drops half-way (raw socket: 500,000 bytes promised, 300,000 sent).
    await new Promise<void>((resolve) => {
      const s = connect(t.started.port, "127.0.0.1", () => {
        s.write(
          `PUT /api/files/uploads/${id}?offset=1000000 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${owner.bearer.authorization}\r\nContent-Type: application/octet-stream\r\nContent-Length: 500000\r\n\r\n`,
        );
        s.write(data.subarray(1_000_000, 1_300_000), () => setTimeout(() => s.destroy(), 300));
      });
      s.on("close", () => resolve());
      s.on("error", () => resolve());
    });
    await Bun.sleep(200);
    const status = await call(`/api/files/uploads/${id}`, json(owner, "GET"));
    expect(status.body.offset).toBe(1_000_000);
    expect(statSync(join(t.dataDir, "tmp", `resumable-${id}`)).size).toBe(1_000_000); // the partial chunk was cut away

    // The wrong offset is refused with the right one.
    const wrong = await put(5, data.subarray(5, 10));
    expect(wrong.status).toBe(409);
    expect((await wrong.json()).offset).toBe(1_000_000);
    // Incomplete uploads do not complete.
    expect((await call(`/api/files/uploads/${id}/complete`, json(owner, "POST"))).body.code).toBe("upload_incomplete");

    const resumed = await put(1_000_000, data.subarray(1_000_000));
    expect((await resumed.json()).offset).toBe(data.length);
    expect(statSync(join(t.dataDir, "tmp", `resumable-${id}`)).size).toBe(data.length);
    const done = await call(`/api/files/uploads/${id}/complete`, json(owner, "POST"));
    expect(done.body.entry).toMatchObject({ name: "big.bin", size: data.length });
    const back = await fs.read("~/Documents/big.bin");
    expect(Buffer.from(back.bytes).equals(Buffer.from(data))).toBe(true);
    expect((await call(`/api/files/uploads/${id}`, json(owner, "GET"))).status).toBe(404);
  });

  test("more bytes than declared, another wallet's upload, and a cancel", async () => {
    const created = await call("/api/files/uploads", json(owner, "POST", { path: "~/Documents/small.bin", size: 10 }));
    const id = created.body.id;
    const over = await f(`/api/files/uploads/${id}?offset=0`, { method: "PUT", headers: owner.bearer, body: new Uint8Array(11) });
    expect(over.status).toBe(413);
    expect((await call(`/api/files/uploads/${id}`, json(member, "GET"))).status).toBe(404);
    expect((await call(`/api/files/uploads/${id}`, json(owner, "DELETE"))).body).toEqual({ cancelled: true });
    expect(readdirSync(join(t.dataDir, "tmp")).filter((n) => n.includes(id))).toEqual([]);
  });

  test("unfinished uploads expire", async () => {
    const created = await call("/api/files/uploads", json(owner, "POST", { path: "~/Documents/stale.bin", size: 5 }));
    const db = new Database(join(t.dataDir, "pc2.db"));
    db.query("UPDATE uploads SET expires_at = 1 WHERE id = ?").run(created.body.id);
    db.close();
    expect(t.node.services.uploads.sweep()).toBe(1);
    expect(readdirSync(join(t.dataDir, "tmp")).filter((n) => n.includes(created.body.id))).toEqual([]);
  });
});

describe("folder zip", () => {
  test("a folder downloads as a streamed zip with its tree and bytes", async () => {
    await fs.post("/mkdir", { path: "~/Documents/zipme/sub", create_missing_parents: true });
    await fs.write("~/Documents/zipme", "a.txt", "alpha");
    await fs.write("~/Documents/zipme/sub", "b.bin", new Uint8Array([1, 2, 3]));
    const res = await f(`/api/files/zip?path=${encodeURIComponent("~/Documents/zipme")}`, { headers: owner.bearer });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toContain('filename="zipme.zip"');
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual(["zipme/", "zipme/a.txt", "zipme/sub/", "zipme/sub/b.bin"]);
    expect(new TextDecoder().decode(files["zipme/a.txt"])).toBe("alpha");
    expect([...files["zipme/sub/b.bin"]!]).toEqual([1, 2, 3]);
    expect((await f(`/api/files/zip?path=${encodeURIComponent("~/Documents/zipme/a.txt")}`, { headers: owner.bearer })).status).toBe(400);
  });

  test("the home folder zips as <address>/ with each entry once and no entry for the home itself", async () => {
    const res = await f(`/api/files/zip?path=${encodeURIComponent("~")}`, { headers: owner.bearer });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain(`filename="${owner.address}.zip"`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBe(Number(res.headers.get("x-zip-length")));
    const names = Object.keys(unzipSync(bytes));
    expect(names[0]).toBe(`${owner.address}/`);
    expect(names.every((n) => n.startsWith(`${owner.address}/`) && !n.includes("//"))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain(`${owner.address}/Documents/`);
    expect(names).toContain(`${owner.address}/Documents/zipme/a.txt`);
  });

  test("its Content-Length is announced before the first byte and is exact: UTF-8 names, empty files, many chunks", async () => {
    await fs.post("/mkdir", { path: "~/Documents/größe/ünter 📁", create_missing_parents: true });
    await fs.write("~/Documents/größe", "empty.txt", "");
    await fs.write(
      "~/Documents/größe/ünter 📁",
      "日本語.bin",
      new Uint8Array(700_000).map((_, i) => i * 7),
    );
    const res = await f(`/api/files/zip?path=${encodeURIComponent("~/Documents/größe")}`, { headers: owner.bearer });
    // (Bun's server drops the Content-Length of a streamed body, oven-sh/bun#10507; when it sends one, it is the same.)
    const announced = Number(res.headers.get("x-zip-length"));
    expect(res.headers.get("content-length") ?? String(announced)).toBe(String(announced));
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBe(announced);
    const files = unzipSync(bytes);
    expect(Object.keys(files).sort()).toEqual(["größe/", "größe/empty.txt", "größe/ünter 📁/", "größe/ünter 📁/日本語.bin"]);
    expect(files["größe/ünter 📁/日本語.bin"]!.length).toBe(700_000);
    expect(files["größe/ünter 📁/日本語.bin"]![9]).toBe(63);
  });

  test.each(["a file of its own", "a small file kept in the database"])("%s changed behind the index fails the download instead of ending it as a zip of the wrong length", async (kind) => {
    const folder = `~/Documents/zipbad-${kind.length}`;
    await fs.post("/mkdir", { path: folder });
    const small = kind.includes("small");
    const written = await fs.write(folder, "x.bin", new Uint8Array(small ? 5000 : INLINE_MAX_BYTES + 1));
    const entry = t.node.services.files.find(owner.address, `/${owner.address}${folder.slice(1)}/x.bin`);
    if (small) t.node.ctx.db.query("UPDATE inline_blobs SET bytes = ? WHERE blob = ?").run(new TextEncoder().encode("short"), entry.blob!);
    else await Bun.write(t.node.services.blobs.path(owner.address, entry.blob!), "short");
    expect(written.status).toBe(200);
    // (A small zip fails before its headers are sent, a large one part-way: either way the client sees a failure.)
    const outcome = await f(`/api/files/zip?path=${encodeURIComponent(folder)}`, { headers: owner.bearer })
      .then((res) => res.arrayBuffer())
      .then(
        () => "complete",
        () => "failed",
      );
    expect(outcome).toBe("failed");
  });
});

describe("public links and /ipfs/<cid>", () => {
  test("private content is for its owner only; publishing opens it to anyone; unsharing closes it", async () => {
    const w = await fs.write("~/Public", "page.html", "<script>alert(1)</script>");
    const cid = w.body.cid;
    expect((await f(`/ipfs/${cid}`)).status).toBe(403);
    expect((await f(`/ipfs/${cid}`, { headers: member.bearer })).status).toBe(403);
    expect((await f(`/ipfs/${cid}`, { headers: owner.bearer })).status).toBe(200);

    const shared = await call("/api/files/share", json(owner, "POST", { path: "~/Public/page.html" }));
    expect(shared.body).toMatchObject({ cid, url: `/ipfs/${cid}` });
    // Where to open it, best first; the address the request used is among them.
    expect(shared.body.links.at(-1)).toEqual({ kind: "this-address", url: expect.stringMatching(new RegExp(`^http://[^/]+/ipfs/${cid}$`)) });
    const anon = await f(`/ipfs/${cid}`);
    expect(anon.status).toBe(200);
    expect(await anon.text()).toBe("<script>alert(1)</script>");
    expect(anon.headers.get("content-security-policy")).toStartWith("sandbox");
    expect(anon.headers.get("x-content-type-options")).toBe("nosniff");

    await call("/api/files/unshare", json(owner, "POST", { path: "~/Public/page.html" }));
    expect((await f(`/ipfs/${cid}`)).status).toBe(403);
    expect((await f("/ipfs/not-a-cid")).status).toBe(400);
    expect((await f("/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy")).status).toBe(403); // unknown looks like private
  });
});

describe("sharing and the Trash", () => {
  test("moving a shared file to the Trash stops sharing it; restoring does not share it again", async () => {
    const cid = (await fs.write("~/Public", "flyer.txt", "come to the party")).body.cid;
    await fs.post("/mkdir", { path: "~/Public/album" });
    const inFolder = (await fs.write("~/Public/album", "photo.txt", "a photo")).body.cid;
    await call("/api/files/share", json(owner, "POST", { path: "~/Public/flyer.txt" }));
    await call("/api/files/share", json(owner, "POST", { path: "~/Public/album/photo.txt" }));
    expect((await f(`/ipfs/${cid}`)).status).toBe(200);
    expect((await f(`/ipfs/${inFolder}`)).status).toBe(200);

    expect((await fs.post("/delete", { paths: ["~/Public/flyer.txt", "~/Public/album"] })).status).toBe(200);
    expect((await f(`/ipfs/${cid}`)).status).toBe(403);
    expect((await f(`/ipfs/${inFolder}`)).status).toBe(403); // a shared file inside a trashed folder too
    const trashed = (await call("/api/files/trash", { headers: owner.bearer })).body.items.find((i: { trash: { original_name: string } }) => i.trash.original_name === "flyer.txt");
    const again = await call("/api/files/share", json(owner, "POST", { uid: trashed.uid }));
    expect([again.status, again.body.code]).toEqual([400, "in_trash"]);

    expect((await call("/api/files/trash/restore", json(owner, "POST", { uid: trashed.uid }))).status).toBe(200);
    expect((await fs.post("/stat", { path: "~/Public/flyer.txt" })).body.is_public).toBe(false);
    expect((await f(`/ipfs/${cid}`)).status).toBe(403);
  });
});

describe("quotas", () => {
  test("the Owner sets a quota; it is enforced before bytes are written; /df reports it", async () => {
    const fm = filesClient(f, member);
    expect((await call(`/api/files/quotas/${member.address}`, json(member, "PUT", { bytes: 10 }))).status).toBe(403);
    const set = await call(`/api/files/quotas/${member.address}`, json(owner, "PUT", { bytes: 1000 }));
    expect(set.body).toMatchObject({ quota: 1000, used: 0 });
    expect((await fm.write("~/Documents", "fits.bin", new Uint8Array(600))).status).toBe(200);
    const tooBig = await fm.write("~/Documents", "nope.bin", new Uint8Array(600));
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.code).toBe("storage_quota_exceeded");
    const declared = await fm.write("~/Documents", "declared.bin", new Uint8Array(10), { size: "5000" });
    expect(declared.body.code).toBe("storage_quota_exceeded");
    expect((await call("/api/files/uploads", json(member, "POST", { path: "~/Documents/r.bin", size: 5000 }))).body.code).toBe("storage_quota_exceeded");
    expect((await fm.post("/copy", { source: "~/Documents/fits.bin", destination: "~/Desktop" })).body.code).toBe("storage_quota_exceeded");
    expect((await fm.post("/df")).body).toEqual({ used: 600, capacity: 1000 });
    expect((await fm.post("/stat", { path: "~/Documents/nope.bin" })).status).toBe(404);
    expect(readdirSync(join(t.dataDir, "tmp")).filter((n) => n.startsWith("upload-"))).toEqual([]);
    await call(`/api/files/quotas/${member.address}`, json(owner, "PUT", { bytes: null }));
    expect((await fm.write("~/Documents", "nope.bin", new Uint8Array(600))).status).toBe(200);
    expect((await call(`/api/files/quotas/${member.address}`, json(owner, "PUT", { bytes: -1 }))).status).toBe(400);
  });
});
