import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MIGRATIONS } from "../../server/db/migrations/index.ts";
import { HTTP_ACCESS } from "../../server/http/roles.ts";
import { diskAssetStore } from "../../server/http/static-assets.ts";
import { appRequest } from "../helpers/app-request.ts";
import { createTestNode } from "../helpers/test-node.ts";
import { addUser, appFetcher, claimOwner } from "../helpers/wallet-auth.ts";
import { makeTempDir } from "../helpers/temp-dir.ts";

const assetsDir = makeTempDir("pc2-assets-");
mkdirSync(join(assetsDir.path, "assets"));
writeFileSync(join(assetsDir.path, "index.html"), "<!doctype html><title>PC2</title>");
writeFileSync(join(assetsDir.path, "assets", "main-abc123def.js"), "console.log(1)");
// As the build writes it: a gzip copy beside the text file.
const SCRIPT = "console.log('the desktop');\n".repeat(200);
writeFileSync(join(assetsDir.path, "assets", "app-0123456789.js"), SCRIPT);
writeFileSync(join(assetsDir.path, "assets", "app-0123456789.js.gz"), Bun.gzipSync(Buffer.from(SCRIPT)));

const { node, cleanup } = createTestNode({ assets: diskAssetStore(assetsDir.path), env: { PC2_MAX_JSON_BODY_BYTES: "2048" } });
// A route only this test adds (public in the role table), to exercise JSON body handling on a POST.
HTTP_ACCESS["POST /test/echo"] = { role: null };
node.app.post("/test/echo", ({ body }) => ({ got: body }));
const app = node.app;

let setupCode = "";
beforeAll(() => {
  node.services.identity.start();
  setupCode = node.services.setup.start().code!;
  node.services.files.start();
});
afterAll(async () => {
  delete HTTP_ACCESS["POST /test/echo"];
  await node.stop();
  cleanup();
  assetsDir.remove();
});

describe("GET /health", () => {
  test("anyone gets ok / not ok only; an Admin or the Owner also gets each component", async () => {
    const anonymous = await appRequest(app, "/health");
    expect([anonymous.status, anonymous.body]).toEqual([200, { status: "ok" }]);
    const owner = await claimOwner(appFetcher(app), setupCode);
    const member = await addUser(appFetcher(app), owner, "member");
    expect((await appRequest(app, "/health", { headers: member.bearer })).body).toEqual({ status: "ok" });
    const r = await appRequest(app, "/health", { headers: owner.bearer });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("ok");
    expect(Object.keys(r.body.components).sort()).toEqual(["database", "disk", "identity", "ipfs", "network", "websocket"]);
    expect(r.body.components.database).toMatchObject({ status: "ok", schemaVersion: MIGRATIONS.length });
    expect(r.body.components.disk.freeBytes).toBeGreaterThan(0);
    expect(r.body.components.network).toEqual({ status: "ok", state: "off" });
    expect(r.headers.get("cache-control")).toBe("no-store");
  });

  test("503 when a component is down", async () => {
    node.services.system.addCheck("probe", () => ({ status: "down" }));
    const r = await appRequest(app, "/health");
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ status: "down" });
    node.services.system.addCheck("probe", () => ({ status: "ok" }));
  });
});

describe("GET /api/info", () => {
  test("name, version, Node ID, DID and uptime; no secrets", async () => {
    const r = await appRequest(app, "/api/info");
    expect(r.status).toBe(200);
    const id = node.services.identity.info();
    expect(r.body).toMatchObject({ name: "PC2", version: "0.1.0", nodeId: id.nodeId, did: `did:boson:${id.nodeId}` });
    expect(typeof r.body.uptimeSeconds).toBe("number");
    expect(Object.keys(r.body).sort()).toEqual(["did", "name", "nodeId", "startedAt", "uptimeSeconds", "version"]);
    const phrase = node.services.identity.revealPhrase();
    expect(r.text).not.toContain(phrase.split(" ")[0] + " ");
    expect(r.text).not.toContain(setupCode);
  });
});

describe("errors", () => {
  test("unknown route → 404 JSON in the one error shape", async () => {
    const r = await appRequest(app, "/api/nope");
    expect(r.status).toBe(404);
    expect(r.headers.get("content-type")).toContain("application/json");
    expect(r.body).toEqual({ error: "No route for GET /api/nope", code: "not_found", message: "No route for GET /api/nope" });
  });

  test("unknown method on a known path → 404 JSON", async () => {
    const r = await appRequest(app, "/api/info", { method: "DELETE" });
    expect(r.status).toBe(404);
    expect(r.body.code).toBe("not_found");
  });

  test("malformed JSON → 400 invalid_json (application/json and Puter's text/plain;actually=json)", async () => {
    for (const type of ["application/json", "text/plain;actually=json"]) {
      const r = await appRequest(app, "/test/echo", { method: "POST", headers: { "content-type": type }, body: '{"a":' });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: "invalid_json", error: expect.any(String), message: expect.any(String) });
    }
  });

  test("well-formed JSON is parsed for both content types", async () => {
    for (const type of ["application/json", "text/plain;actually=json"]) {
      const r = await appRequest(app, "/test/echo", { method: "POST", headers: { "content-type": type }, body: '{"a":1}' });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ got: { a: 1 } });
    }
  });

  test("body over the limit → 413, by Content-Length", async () => {
    const r = await appRequest(app, "/test/echo", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ a: "x".repeat(4000) }) });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ code: "payload_too_large", limit: 2048 });
  });

  test("the limit is inclusive: exactly 2048 bytes are read, 2049 are refused", async () => {
    const body = (n: number) => JSON.stringify({ a: "x".repeat(n - 8) }); // {"a":""} is 8 bytes
    expect(body(2048).length).toBe(2048);
    expect((await appRequest(app, "/test/echo", { method: "POST", headers: { "content-type": "application/json" }, body: body(2048) })).status).toBe(200);
    expect((await appRequest(app, "/test/echo", { method: "POST", headers: { "content-type": "application/json" }, body: body(2049) })).status).toBe(413);
  });

  test("body over the limit → 413, when streamed without a length", async () => {
    const chunk = new TextEncoder().encode("x".repeat(1000));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 10) c.enqueue(chunk);
        else c.close();
      },
    });
    const r = await appRequest(app, "/test/echo", { method: "POST", headers: { "content-type": "application/json" }, body: stream });
    expect(r.status).toBe(413);
    expect(sent).toBeLessThan(10); // stopped reading early
  });

  test("every response carries the security headers, errors included", async () => {
    for (const path of ["/health", "/api/nope"]) {
      const r = await appRequest(app, path);
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect(r.headers.get("x-frame-options")).toBe("DENY");
      expect(r.headers.get("referrer-policy")).toBe("no-referrer");
    }
  });
});

describe("desktop assets", () => {
  test("/ serves index.html with a strict CSP and no caching", async () => {
    const r = await appRequest(app, "/");
    expect(r.status).toBe(200);
    expect(r.text).toContain("<title>PC2</title>");
    expect(r.headers.get("content-type")).toContain("text/html");
    expect(r.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(r.headers.get("cache-control")).toBe("no-cache");
  });

  test("hashed assets are immutable", async () => {
    const r = await appRequest(app, "/assets/main-abc123def.js");
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toContain("immutable");
  });

  test("a file the build gzipped goes gzipped to a browser that accepts it, as is to one that does not", async () => {
    for (const [accept, gz] of [
      ["gzip, deflate, br", true],
      ["br;q=1.0, gzip;q=0.8", true],
      ["*", true],
      ["gzip;q=0", false],
      ["identity", false],
      [null, false],
    ] as const) {
      const res = await app.handle(
        new Request("http://127.0.0.1:4200/assets/app-0123456789.js", { headers: accept ? { "accept-encoding": accept, host: "127.0.0.1:4200" } : { host: "127.0.0.1:4200" } }),
      );
      expect([res.status, res.headers.get("content-encoding"), res.headers.get("vary")]).toEqual([200, gz ? "gzip" : null, "accept-encoding"]);
      expect(res.headers.get("content-type")).toContain("javascript");
      expect(res.headers.get("cache-control")).toContain("immutable");
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(new TextDecoder().decode(gz ? Bun.gunzipSync(bytes) : bytes)).toBe(SCRIPT);
      if (gz) expect(bytes.length).toBeLessThan(SCRIPT.length / 10);
    }
    // A file without a gzip copy is sent as it is, whatever is accepted.
    const plain = await app.handle(new Request("http://127.0.0.1:4200/assets/main-abc123def.js", { headers: { "accept-encoding": "gzip", host: "127.0.0.1:4200" } }));
    expect([plain.headers.get("content-encoding"), await plain.text()]).toEqual([null, "console.log(1)"]);
  });

  test("paths outside the asset list never reach the disk", async () => {
    for (const p of ["/../package.json", "/assets/../../package.json", "/%2e%2e/package.json", "/etc/passwd", "/assets/main-abc123def.js%00"]) {
      const r = await appRequest(app, p);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe("not_found");
    }
  });
});
