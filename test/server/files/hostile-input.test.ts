// Hostile input at every file route: each gets a clear 4xx and touches nothing (no 5xx, no escape).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { connect } from "node:net";
import { readdirSync, statSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { filesClient } from "../../helpers/files-client.ts";
import { HOSTILE_NAMES, hostilePaths, snapshot } from "../../helpers/hostile-paths.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { addUser, appFetcher, claimOwner, httpFetcher, type Fetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

let t: TestNode;
let attacker: SignedIn;
let victim: SignedIn;
let f: Fetcher;
const canary = join(tmpdir(), `pc2-canary-${process.pid}.txt`);

beforeAll(async () => {
  writeFileSync(canary, "canary");
  t = await startTestNode();
  const h = httpFetcher(t.url);
  const owner = await claimOwner(h, t.started.setup.code!);
  victim = owner;
  attacker = await addUser(h, owner, "member");
  await filesClient(h, victim).write("~/Documents", "secret.txt", "victim's secret");
  f = appFetcher(t.node.app);
});
afterAll(async () => {
  rmSync(canary, { force: true });
  await t.stop();
});

describe("hostile paths", () => {
  test("1,000+ hostile requests across every route: all 4xx, nothing escapes, nothing changes", async () => {
    const fs = filesClient(f, attacker);
    const victimFs = filesClient(f, victim);
    await fs.write("~/Documents", "secret-of-mine.txt", "mine");
    const before = await snapshot(t.dataDir);
    const victimBefore = JSON.stringify((await victimFs.post("/readdir", { path: "~/Documents" })).body);
    const paths = hostilePaths(victim.address, canary);
    const statuses = new Map<number, number>();
    let sent = 0;
    const record = (status: number, what: string) => {
      sent++;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500 || status < 400) throw new Error(`${what} → ${status}`);
    };
    for (const p of paths) {
      const label = JSON.stringify(p).slice(0, 60);
      record((await fs.post("/stat", { path: p })).status, `stat ${label}`);
      record((await fs.post("/readdir", { path: p })).status, `readdir ${label}`);
      record((await fs.post("/fs/readdir", { path: p })).status, `fs/readdir ${label}`);
      record((await fs.post("/mkdir", { path: p })).status, `mkdir ${label}`);
      record((await fs.post("/mkdir", { parent: p, path: "x" })).status, `mkdir parent ${label}`);
      record((await fs.post("/rename", { path: p, new_name: "renamed" })).status, `rename ${label}`);
      record((await fs.post("/move", { source: p, destination: "~/Desktop" })).status, `move ${label}`);
      record((await fs.post("/copy", { source: p, destination: "~/Desktop" })).status, `copy ${label}`);
      record((await fs.post("/delete", { paths: [p] })).status, `delete ${label}`);
      // (A string that is not valid UTF-16 cannot even be put in a URL.)
      if (typeof p !== "string" || p.isWellFormed()) record((await fs.read(typeof p === "string" ? p : JSON.stringify(p))).status, `read ${label}`);
      if (typeof p === "string") record((await fs.write(p, "evil.txt", "x")).status, `write dir ${label}`);
    }
    for (const name of HOSTILE_NAMES) {
      const label = JSON.stringify(name).slice(0, 40);
      // Multipart carries UTF-8: an unpaired surrogate arrives as U+FFFD, a legal character, so it is only sent as JSON.
      if (name.isWellFormed()) record((await fs.write("~/Documents", name, "x")).status, `write name ${label}`);
      record((await fs.post("/rename", { path: "~/Documents/secret-of-mine.txt", new_name: name })).status, `rename to ${label}`);
      record((await fs.post("/mkdir", { parent: "~/Documents", path: name })).status, `mkdir name ${label}`);
      record((await fs.post("/copy", { source: "~/Documents/secret-of-mine.txt", destination: "~/Desktop", new_name: name })).status, `copy as ${label}`);
      record((await fs.post("/move", { source: "~/Documents/secret-of-mine.txt", destination: "~/Desktop", new_name: name })).status, `move as ${label}`);
    }
    expect(sent).toBeGreaterThanOrEqual(1000);
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);

    // Nothing on disk changed but the expected (and there is no stray file anywhere near the data dir).
    expect(await snapshot(t.dataDir)).toEqual(before);
    expect(readFileSync(canary, "utf8")).toBe("canary");
    expect(JSON.stringify((await victimFs.post("/readdir", { path: "~/Documents" })).body)).toBe(victimBefore);
    const db = new Database(join(t.dataDir, "pc2.db"), { readonly: true });
    const names = db
      .query<{ name: string }, []>("SELECT name FROM fs_entries")
      .all()
      .map((r) => r.name);
    db.close();
    for (const n of names) expect(n).not.toMatch(/^\.\.?$|[\u0000-\u001f\u007f\u202e]/);
  }, 120_000);
});

describe("odd but legal names", () => {
  test("percent-encoded dots are literal names inside the caller's root, never decoded", async () => {
    const fs = filesClient(f, attacker);
    const r = await fs.post("/mkdir", { path: "~/%2e%2e" });
    expect(r.body.path).toBe(`/${attacker.address}/%2e%2e`);
    expect((await fs.post("/stat", { path: "~/%2e%2e/%2e%2e/etc/passwd" })).status).toBe(404);
    await fs.post("/delete", { paths: ["~/%2e%2e"] });
  });
});

describe("malformed uploads", () => {
  test("a huge multipart header is refused, not parsed", async () => {
    const boundary = "x-boundary";
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${"a".repeat(200_000)}"\r\n\r\nhello\r\n--${boundary}--\r\n`;
    const res = await f("/write", { method: "POST", headers: { ...attacker.bearer, "content-type": `multipart/form-data; boundary=${boundary}` }, body });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  test("a truncated multipart body or a garbage one gets 400", async () => {
    const boundary = "b";
    for (const body of [`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhel`, "not multipart at all"]) {
      const res = await f("/write", { method: "POST", headers: { ...attacker.bearer, "content-type": `multipart/form-data; boundary=${boundary}` }, body });
      expect(res.status).toBe(400);
    }
    const wrongType = await f("/write", { method: "POST", headers: { ...attacker.bearer, "content-type": "application/octet-stream" }, body: "x" });
    expect(wrongType.status).toBe(415);
  });

  test("a Content-Length larger than the body sent (client goes away): no file appears, the node keeps serving", async () => {
    const port = t.started.port;
    const boundary = "cl";
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="path"\r\n\r\n~/Documents\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="short.txt"\r\n\r\n`;
    await new Promise<void>((resolve) => {
      const s = connect(port, "127.0.0.1", () => {
        s.write(
          `POST /write HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${attacker.bearer.authorization}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 100000\r\n\r\n${head}only part of it`,
        );
        setTimeout(() => s.destroy(), 200);
      });
      s.on("close", () => resolve());
      s.on("error", () => resolve());
    });
    await Bun.sleep(300);
    const fs = filesClient(httpFetcher(t.url), attacker);
    // A truncated upload used to be able to crash the process; it must still be answering.
    expect((await fs.post("/stat", { path: "~/Documents/short.txt" })).status).toBe(404);
    expect(readdirSync(join(t.dataDir, "tmp")).filter((n) => n.startsWith("upload-"))).toEqual([]);
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
  });
});
