// WebDAV through a real node: signing in with an API token as the Basic password, scopes, the same
// files as the rest of the API (ETag = CID, ranges, Trash on DELETE, quota), wallets kept apart,
// the file API's hostile paths replayed over WebDAV, and the limits on XML and properties.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { filesClient } from "../../helpers/files-client.ts";
import { HOSTILE_NAMES, hostilePaths, snapshot } from "../../helpers/hostile-paths.ts";
import { rawRequest } from "../../helpers/raw-http.ts";
import { resolvePath } from "../../../server/services/files/virtual-path.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { addUser, claimOwner, httpFetcher, mintToken, type SignedIn } from "../../helpers/wallet-auth.ts";

let t: TestNode;
let owner: SignedIn;
let member: SignedIn;
let ownerToken: string;
let memberToken: string;
let readOnly: string;
let aiOnly: string;
const canary = join(tmpdir(), `pc2-dav-canary-${process.pid}.txt`);

const basic = (token: string) => ({ authorization: `Basic ${Buffer.from(`any-name:${token}`).toString("base64")}` });
const dav = (token: string, method: string, path: string, init: { headers?: Record<string, string>; body?: BodyInit } = {}) =>
  fetch(`${t.url}/dav${path}`, { method, headers: { ...basic(token), ...init.headers }, body: init.body });

const mint = (who: SignedIn, scopes: string[]) => mintToken(httpFetcher(t.url), who, scopes, "dav");

beforeAll(async () => {
  writeFileSync(canary, "canary");
  t = await startTestNode();
  const h = httpFetcher(t.url);
  owner = await claimOwner(h, t.started.setup.code!);
  member = await addUser(h, owner, "member");
  ownerToken = await mint(owner, ["files:read", "files:write"]);
  memberToken = await mint(member, ["files:read", "files:write"]);
  readOnly = await mint(owner, ["files:read"]);
  aiOnly = await mint(owner, ["ai:chat"]);
  await filesClient(h, owner).write("~/Documents", "secret.txt", "the owner's secret");
});
afterAll(async () => {
  rmSync(canary, { force: true });
  await t.stop();
});

describe("signing in", () => {
  test("no credentials or a bad token: 401 with a Basic challenge a client can answer", async () => {
    const none = await fetch(`${t.url}/dav/`, { method: "PROPFIND", headers: { depth: "0" } });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toStartWith("Basic realm=");
    const bad = await dav("not-a-token", "PROPFIND", "/", { headers: { depth: "0" } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toStartWith("Basic realm=");
  });

  test("an API token as the Basic password, or as a Bearer token; Basic is WebDAV's only", async () => {
    expect((await dav(ownerToken, "PROPFIND", "/", { headers: { depth: "0" } })).status).toBe(207);
    expect((await fetch(`${t.url}/dav/`, { method: "PROPFIND", headers: { depth: "0", authorization: `Bearer ${ownerToken}` } })).status).toBe(207);
    expect((await fetch(`${t.url}/whoami`, { headers: basic(ownerToken) })).status).toBe(401);
  });

  test("scopes: files:read reads but changes nothing; a token without a files scope gets nothing", async () => {
    expect((await dav(readOnly, "GET", "/Documents/secret.txt")).status).toBe(200);
    expect((await dav(readOnly, "PROPFIND", "/Documents/", { headers: { depth: "1" } })).status).toBe(207);
    for (const [method, path, headers] of [
      ["PUT", "/Documents/new.txt", {}],
      ["DELETE", "/Documents/secret.txt", {}],
      ["MKCOL", "/Documents/dir", {}],
      ["MOVE", "/Documents/secret.txt", { destination: `${t.url}/dav/Documents/moved.txt` }],
      ["COPY", "/Documents/secret.txt", { destination: `${t.url}/dav/Documents/copied.txt` }],
      ["PROPPATCH", "/Documents/secret.txt", {}],
      ["LOCK", "/Documents/secret.txt", {}],
    ] as const) {
      const res = await dav(readOnly, method, path, { headers, body: method === "PUT" ? "x" : undefined });
      expect(res.status, method).toBe(403);
      expect((await res.json()).code).toBe("insufficient_scope");
    }
    expect((await dav(aiOnly, "PROPFIND", "/", { headers: { depth: "0" } })).status).toBe(403);
  });
});

describe("the same files as the rest of the API", () => {
  test("PUT here is a file there: the same bytes, and its ETag is its CID", async () => {
    const put = await dav(ownerToken, "PUT", "/Documents/hello%20world.txt", { body: "héllo over WebDAV" });
    expect(put.status).toBe(201);
    const stat = await filesClient(httpFetcher(t.url), owner).post("/stat", { path: "~/Documents/hello world.txt" });
    expect(stat.status).toBe(200);
    const cid = (stat.body as { cid: string }).cid;
    expect(put.headers.get("etag")).toBe(`"${cid}"`);
    const read = await fetch(`${t.url}/read?file=${encodeURIComponent("~/Documents/hello world.txt")}`, { headers: owner.bearer });
    expect(await read.text()).toBe("héllo over WebDAV");
    const found = await (await dav(ownerToken, "PROPFIND", "/Documents/hello%20world.txt", { headers: { depth: "0" } })).text();
    expect(found).toContain(`<D:getetag>&quot;${cid}&quot;</D:getetag>`);
    // Replacing it: 204, new bytes, new CID.
    const again = await dav(ownerToken, "PUT", "/Documents/hello%20world.txt", { body: "second version" });
    expect(again.status).toBe(204);
    expect(again.headers.get("etag")).not.toBe(`"${cid}"`);
  });

  test("GET with a range; a folder lists its members; depth infinity is refused", async () => {
    const head = await dav(ownerToken, "HEAD", "/Documents/secret.txt");
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String("the owner's secret".length));
    expect(head.headers.get("etag")).toMatch(/^"b[a-z2-7]+"$/);
    expect(await head.text()).toBe("");
    const part = await dav(ownerToken, "GET", "/Documents/secret.txt", { headers: { range: "bytes=4-8" } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe("owner");
    const listing = await (await dav(ownerToken, "PROPFIND", "/Documents/", { headers: { depth: "1" } })).text();
    expect(listing).toContain("<D:href>/dav/Documents/</D:href>");
    expect(listing).toContain("<D:href>/dav/Documents/secret.txt</D:href>");
    const deep = await dav(ownerToken, "PROPFIND", "/", { headers: { depth: "infinity" } });
    expect(deep.status).toBe(403);
    expect(await deep.text()).toContain("propfind-finite-depth");
  });

  test("DELETE sends it to the Trash, where it can be restored", async () => {
    await dav(ownerToken, "PUT", "/Documents/doomed.txt", { body: "not gone yet" });
    expect((await dav(ownerToken, "DELETE", "/Documents/doomed.txt")).status).toBe(204);
    expect((await dav(ownerToken, "GET", "/Documents/doomed.txt")).status).toBe(404);
    const trash = (await filesClient(httpFetcher(t.url), owner).post("/readdir", { path: "~/Trash" })).body as { metadata: string }[];
    expect(trash.some((e) => JSON.parse(e.metadata).original_name === "doomed.txt")).toBe(true);
    // The home folders are the node's: not deleted, not moved.
    expect((await dav(ownerToken, "DELETE", "/Documents/")).status).toBe(403);
  });

  test("quota: the RFC 4331 properties, and a PUT over the quota is refused with nothing written", async () => {
    const q = await (
      await dav(ownerToken, "PROPFIND", "/", {
        headers: { depth: "0", "content-type": "application/xml" },
        body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:quota-used-bytes/><D:quota-available-bytes/></D:prop></D:propfind>',
      })
    ).text();
    expect(q).toMatch(/<D:quota-used-bytes>\d+<\/D:quota-used-bytes>/);
    expect(q).toMatch(/<D:quota-available-bytes>\d+<\/D:quota-available-bytes>/);
    const set = await fetch(`${t.url}/api/files/quotas/${member.address}`, { method: "PUT", headers: { ...owner.bearer, "content-type": "application/json" }, body: JSON.stringify({ bytes: 1000 }) });
    expect(set.status).toBe(200);
    const over = await dav(memberToken, "PUT", "/Documents/big.bin", { body: new Uint8Array(1001) });
    expect(over.status).toBe(413);
    expect((await dav(memberToken, "GET", "/Documents/big.bin")).status).toBe(404);
    expect((await dav(memberToken, "PUT", "/Documents/fits.bin", { body: new Uint8Array(1000) })).status).toBe(201);
    await fetch(`${t.url}/api/files/quotas/${member.address}`, { method: "PUT", headers: { ...owner.bearer, "content-type": "application/json" }, body: JSON.stringify({ bytes: null }) });
  });
});

describe("wallets apart", () => {
  test("another wallet's files are neither listed nor reachable, by name or by address", async () => {
    const root = await (await dav(memberToken, "PROPFIND", "/Documents/", { headers: { depth: "1" } })).text();
    expect(root).not.toContain("secret.txt");
    expect((await dav(memberToken, "GET", "/Documents/secret.txt")).status).toBe(404);
    expect((await dav(memberToken, "GET", `/${owner.address}/Documents/secret.txt`)).status).toBe(403);
    await dav(memberToken, "PUT", "/Documents/mine.txt", { body: "member's" });
    const toOwner = await dav(memberToken, "COPY", "/Documents/mine.txt", { headers: { destination: `${t.url}/dav/${owner.address}/Documents/stolen.txt` } });
    expect(toOwner.status).toBe(403);
    const elsewhere = await dav(memberToken, "COPY", "/Documents/mine.txt", { headers: { destination: "http://evil.example/dav/x" } });
    expect(elsewhere.status).toBe(502);
    expect((await dav(ownerToken, "GET", "/Documents/stolen.txt")).status).toBe(404);
  });

  test("a lock is its wallet's: the same path in another wallet is not locked", async () => {
    const body = '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';
    await dav(ownerToken, "PUT", "/Documents/shared-name.txt", { body: "owner" });
    await dav(memberToken, "PUT", "/Documents/shared-name.txt", { body: "member" });
    const locked = await dav(ownerToken, "LOCK", "/Documents/shared-name.txt", { body, headers: { "content-type": "application/xml" } });
    expect(locked.status).toBe(200);
    expect((await dav(ownerToken, "PUT", "/Documents/shared-name.txt", { body: "no token" })).status).toBe(423);
    expect((await dav(memberToken, "PUT", "/Documents/shared-name.txt", { body: "member again" })).status).toBe(204);
    const token = locked.headers.get("lock-token")!;
    expect((await dav(ownerToken, "PUT", "/Documents/shared-name.txt", { body: "with token", headers: { if: `(${token})` } })).status).toBe(204);
    expect((await dav(ownerToken, "UNLOCK", "/Documents/shared-name.txt", { headers: { "lock-token": token } })).status).toBe(204);
  });
});

describe("refused", () => {
  test("the file API's hostile paths and names, over WebDAV: every one 4xx, nothing on disk changes", async () => {
    await dav(memberToken, "PUT", "/Documents/keep.txt", { body: "keep" });
    const before = await snapshot(t.dataDir);
    const targets = new Set<string>();
    for (const p of hostilePaths(owner.address, canary)) {
      if (typeof p !== "string" || !p.isWellFormed() || p === "") continue;
      // As a client could write it: each segment percent-encoded, or the whole as one segment.
      targets.add(`/dav/${p.split("/").map(encodeURIComponent).join("/")}`);
      targets.add(`/dav/Documents/${encodeURIComponent(p)}`);
    }
    for (const name of HOSTILE_NAMES) if (name.isWellFormed() && name !== "") targets.add(`/dav/Documents/${encodeURIComponent(name)}`);
    for (const raw of ["/dav/%2e%2e/", "/dav/Documents/%2e%2e/%2e%2e/etc/passwd", "/dav/..%2f..%2fetc", "/dav/Documents/%00", "/dav/Documents/%ff%fe", `/dav/${owner.address}/Documents/secret.txt`])
      targets.add(raw);
    const auth = basic(memberToken);
    const legal = (target: string) => {
      try {
        resolvePath(`/${target.slice("/dav/".length).split("/").filter(Boolean).map(decodeURIComponent).join("/")}`, member.address);
        return true;
      } catch {
        return false;
      }
    };
    let sent = 0;
    for (const target of targets) {
      // Dot segments are resolved before any route sees them (the client's URL library, or the
      // server's): such a target is only another name for a plain path, inside /dav/ or not.
      if (new URL(target, t.url).pathname !== target) continue;
      // Some shapes are legal names inside one's own root ("x", "Documents"): not hostile here.
      if (legal(target)) continue;
      for (const [method, extra] of [
        ["GET", {}],
        ["PUT", {}],
        ["MKCOL", {}],
        ["DELETE", {}],
        ["PROPPATCH", {}],
        ["LOCK", {}],
        ["COPY", { destination: `${t.url}/dav/Documents/copied-here.txt` }],
        ["MOVE", { destination: `${t.url}/dav/Documents/moved-here.txt` }],
      ] as const) {
        const res = await rawRequest(t.url, method, target, { ...auth, ...extra }, method === "PUT" ? "evil" : "");
        sent++;
        if (res.status < 400 || res.status >= 500) throw new Error(`${method} ${target} → ${res.status}`);
      }
      // And as the Destination of a COPY of a real file.
      const copy = await rawRequest(t.url, "COPY", "/dav/Documents/keep.txt", { ...auth, destination: `${t.url}${target}` });
      sent++;
      if (copy.status < 400 || copy.status >= 500) throw new Error(`COPY to ${target} → ${copy.status}`);
    }
    expect(sent).toBeGreaterThan(500);
    expect(await snapshot(t.dataDir)).toEqual(before);
    expect(readFileSync(canary, "utf8")).toBe("canary");
    expect(await (await dav(ownerToken, "GET", "/Documents/secret.txt")).text()).toBe("the owner's secret");
  }, 120_000);

  test("XML: a DOCTYPE, malformed XML and a body over 1 MiB", async () => {
    const headers = { depth: "0", "content-type": "application/xml" };
    const doctype = await dav(ownerToken, "PROPFIND", "/", { headers, body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>' });
    expect(doctype.status).toBe(400);
    expect((await dav(ownerToken, "PROPFIND", "/", { headers, body: "<D:propfind xmlns:D='DAV:'><D:prop>" })).status).toBe(400);
    const big = `<D:propfind xmlns:D="DAV:"><D:prop>${"<D:x/>".repeat(200_000)}</D:prop></D:propfind>`;
    expect((await dav(ownerToken, "PROPFIND", "/", { headers, body: big })).status).toBe(413);
  });

  test("PROPPATCH: DAV: properties are not set, a value over 64 KiB is refused, and either way nothing changes", async () => {
    const patch = (props: string) =>
      dav(ownerToken, "PROPPATCH", "/Documents/secret.txt", {
        headers: { "content-type": "application/xml" },
        body: `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop>${props}</D:prop></D:set></D:propertyupdate>`,
      });
    const refused = await (await patch("<Z:fine>ok</Z:fine><D:getetag>forged</D:getetag>")).text();
    expect(refused).toContain("HTTP/1.1 403 Forbidden");
    expect(refused).toContain("HTTP/1.1 424 Failed Dependency");
    const large = await (await patch(`<Z:fine>ok</Z:fine><Z:huge>${"x".repeat(64 * 1024 + 1)}</Z:huge>`)).text();
    expect(large).toContain("HTTP/1.1 507");
    const props = await (
      await dav(ownerToken, "PROPFIND", "/Documents/secret.txt", {
        headers: { depth: "0", "content-type": "application/xml" },
        body: '<D:propfind xmlns:D="DAV:"><D:prop><Z:fine xmlns:Z="urn:z"/></D:prop></D:propfind>',
      })
    ).text();
    expect(props).toContain("HTTP/1.1 404 Not Found");
    expect((await patch("<Z:fine>ok</Z:fine>")).status).toBe(207);
  });
});
