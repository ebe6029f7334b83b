// Edge functions through a real node: deploy, call, private and public, secrets never shown back,
// content-hashed deployments with rollback, the node's credentials kept from the function and its
// answers kept from acting as the node's pages, imports refused at deploy, roles, allowed hosts,
// and a loop or a memory bomb that ends only its own process.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { filesClient } from "../../helpers/files-client.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { deployFunction, functionPath } from "../../helpers/functions-api.ts";
import { jsonRequest } from "../../helpers/send-json.ts";
import { addUser, claimOwner, httpFetcher, signIn, type Fetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

let t: TestNode;
let f: Fetcher;
let owner: SignedIn;
let admin: SignedIn;
let member: SignedIn;

const deploy = (who: SignedIn, name: string, main: string, extra: Record<string, unknown> = {}) => deployFunction(f, who, name, main, extra);
const fn = functionPath;

beforeAll(async () => {
  t = await startTestNode();
  f = httpFetcher(t.url);
  owner = await claimOwner(f, t.started.setup.code!);
  admin = await addUser(f, owner, "admin");
  member = await addUser(f, owner, "member");
});
afterAll(() => t.stop());

describe("deploy and call", () => {
  test("export default { fetch }: deployed by content hash, private until made public", async () => {
    const d = await deploy(
      owner,
      "hello",
      `export default { fetch(req: Request) { const u = new URL(req.url); return Response.json({ path: u.pathname, q: u.searchParams.get("q"), method: req.method }); } };`,
    );
    expect(d.status).toBe(201);
    expect(d.body.function).toMatchObject({ name: "hello", visibility: "private", url: `/fn/${owner.address}/hello/` });
    expect(d.body.function.current).toMatch(/^[0-9a-f]{16}$/);
    // Private: the node's signed-in users only.
    expect((await f(fn(owner, "hello", "/a/b?q=1"))).status).toBe(401);
    const res = await f(fn(owner, "hello", "/a/b?q=1"), { headers: member.bearer });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ path: "/a/b", q: "1", method: "GET" });
    // The same files again: the same deployment.
    const again = await deploy(
      owner,
      "hello",
      `export default { fetch(req: Request) { const u = new URL(req.url); return Response.json({ path: u.pathname, q: u.searchParams.get("q"), method: req.method }); } };`,
    );
    expect(again.body.function.deployments.length).toBe(1);
    // Public: anyone.
    await f(`/api/functions/hello`, jsonRequest(owner, "PATCH", { visibility: "public" }));
    expect((await f(fn(owner, "hello", "/x"))).status).toBe(200);
  });

  test("Deno.serve(handler) with secrets: Deno.env sees them, the API never shows them back", async () => {
    const d = await deploy(admin, "secret", `Deno.serve((req) => new Response(String(Deno.env.get("API_KEY")) + " " + req.method));`);
    expect(d.status).toBe(201);
    const set = await f("/api/functions/secret/secrets", jsonRequest(admin, "PUT", { secrets: { API_KEY: "k-123" } }));
    expect(set.status).toBe(200);
    const text = JSON.stringify(await set.json());
    expect(text).toContain("API_KEY");
    expect(text).not.toContain("k-123");
    const res = await f(fn(admin, "secret"), { method: "POST", headers: admin.bearer, body: "x" });
    expect(await res.text()).toBe("k-123 POST");
    expect(JSON.stringify(await (await f("/api/functions/secret", { headers: admin.bearer })).json())).not.toContain("k-123");
  });

  test("every deployment is kept; rollback switches at once", async () => {
    const v1 = (await deploy(owner, "versions", `export default { fetch: () => new Response("one") };`)).body.function.current;
    await deploy(owner, "versions", `export default { fetch: () => new Response("two") };`);
    expect(await (await f(fn(owner, "versions"), { headers: owner.bearer })).text()).toBe("two");
    const back = await f("/api/functions/versions/rollback", jsonRequest(owner, "POST", { deployment: v1 }));
    expect((await back.json()).function.current).toBe(v1);
    expect(await (await f(fn(owner, "versions"), { headers: owner.bearer })).text()).toBe("one");
    expect((await f("/api/functions/versions/rollback", jsonRequest(owner, "POST", { deployment: "0".repeat(16) }))).status).toBe(404);
  });
});

describe("deploy from a folder of the deployer's storage", () => {
  test("the folder's source files (no dot-files), from the caller's own storage only; files or folder, not both", async () => {
    const fs = filesClient(f, admin);
    await fs.post("/mkdir", { path: "~/Documents/fn-src/lib", create_missing_parents: true });
    await fs.write("~/Documents/fn-src", "main.ts", `import { word } from "./lib/word.ts"; export default { fetch: () => new Response(word) };`);
    await fs.write("~/Documents/fn-src/lib", "word.ts", `export const word = "from storage";`);
    await fs.write("~/Documents/fn-src", ".env", "SECRET=1");
    const d = await f("/api/functions", jsonRequest(admin, "POST", { name: "stored", folder: "~/Documents/fn-src" }));
    expect(d.status).toBe(201);
    expect(await (await f(fn(admin, "stored"), { headers: admin.bearer })).text()).toBe("from storage");
    // Another wallet's folder does not exist for this caller.
    expect((await f("/api/functions", jsonRequest(owner, "POST", { name: "stored", folder: `/${admin.address}/Documents/fn-src` }))).status).toBe(403);
    expect((await f("/api/functions", jsonRequest(owner, "POST", { name: "stored", folder: "~/Documents/fn-src" }))).status).toBe(404);
    const both = await f("/api/functions", jsonRequest(admin, "POST", { name: "stored", folder: "~/Documents/fn-src", files: [{ path: "main.ts", content: "" }] }));
    expect(both.status).toBe(400);
    expect((await f("/api/functions", jsonRequest(admin, "POST", { name: "stored" }))).status).toBe(400);
  });
});

describe("what crosses between the client and a function", () => {
  test("the node's session cookie and PC2 token never reach it; its own cookies do", async () => {
    await deploy(owner, "echo", `export default { fetch: (req: Request) => Response.json({ cookie: req.headers.get("cookie"), auth: req.headers.get("authorization") }) };`, { visibility: "public" });
    const withCookie = await f(fn(owner, "echo"), { headers: { cookie: `pc2_session=${owner.cookie}; theme=dark` } });
    expect(await withCookie.json()).toEqual({ cookie: "theme=dark", auth: null });
    const withToken = await f(fn(owner, "echo"), { headers: owner.bearer });
    expect((await withToken.json()).auth).toBeNull();
    // A token of the function's own (not the node's) passes through.
    const own = await f(fn(owner, "echo"), { headers: { authorization: "Bearer the-functions-own-key" } });
    expect((await own.json()).auth).toBe("Bearer the-functions-own-key");
  });

  test("its answers are sandboxed, and its cookies are kept to its own path", async () => {
    await deploy(
      owner,
      "cookies",
      `export default { fetch: () => { const h = new Headers({ "content-type": "text/html" }); h.append("set-cookie", "a=1; Path=/; Domain=evil.example; HttpOnly"); h.append("set-cookie", "pc2_session=stolen; Path=/"); return new Response("<script>fetch('/api/users')</script>", { headers: h }); } };`,
      { visibility: "public" },
    );
    const res = await f(fn(owner, "cookies"));
    expect(res.headers.get("content-security-policy")).toContain("sandbox allow-scripts");
    expect(res.headers.getSetCookie()).toEqual([`a=1; Path=/fn/${owner.address}/cookies/; HttpOnly`]);
  });
});

describe("refused", () => {
  test("imports a function cannot use fail the deploy with a message that names them", async () => {
    const fsImport = await deploy(owner, "bad", `import { readFileSync } from "node:fs"; export default { fetch: () => new Response(readFileSync("/etc/passwd")) };`);
    expect(fsImport.status).toBe(400);
    expect(fsImport.body).toMatchObject({ code: "function_import_refused" });
    expect(fsImport.body.message).toContain("node:fs");
    const remote = await deploy(owner, "bad", `import x from "https://deno.land/std/x.ts"; export default { fetch: () => new Response(x) };`);
    expect(remote.body.code).toBe("function_import_refused");
    const broken = await deploy(owner, "bad", `export default {`);
    expect(broken.body.code).toBe("function_build_failed");
    const nothing = await f("/api/functions", jsonRequest(owner, "POST", { name: "bad", files: [{ path: "lib.ts", content: "export const x = 1;" }] }));
    expect((await nothing.json()).code).toBe("function_entry_missing");
    const climbing = await f("/api/functions", jsonRequest(owner, "POST", { name: "bad", files: [{ path: "../main.ts", content: "" }] }));
    expect(climbing.status).toBe(400);
    expect((await f("/api/functions", jsonRequest(owner, "POST", { name: "Bad Name", files: [{ path: "main.ts", content: "" }] }))).status).toBe(400);
  });

  test("Members call functions but do not deploy them", async () => {
    expect((await deploy(member, "mine", `export default { fetch: () => new Response("x") };`)).status).toBe(403);
    expect((await f("/api/functions", { headers: member.bearer })).status).toBe(403);
  });

  test("a module that serves nothing fails to start with the reason", async () => {
    await deploy(owner, "idle", `export const x = 1;`);
    const res = await f(fn(owner, "idle"), { headers: owner.bearer });
    expect(res.status).toBe(502);
    expect((await res.json()).message).toContain("serves nothing");
  });

  test("outbound fetch: only the hosts allowed, and never a private address", async () => {
    await deploy(
      owner,
      "out",
      `export default { fetch: async (req: Request) => { const r = await fetch(new URL(req.url).searchParams.get("to")!); return new Response(r.status + " " + (r.headers.get("x-pc2-egress-refused") ?? "")); } };`,
      { visibility: "public", allowedHosts: ["127.0.0.1:1", "localhost", `127.0.0.1:${new URL(t.url).port}`] },
    );
    expect(await (await f(fn(owner, "out", "/?to=http://example.com/"))).text()).toBe("403 host_not_allowed");
    expect(await (await f(fn(owner, "out", "/?to=http://127.0.0.1:1/"))).text()).toBe("403 private_address_refused");
    // A name that resolves to loopback is refused by its address, not its name.
    expect(await (await f(fn(owner, "out", `/?to=http://localhost:${new URL(t.url).port}/health`))).text()).toBe("403 private_address_refused");
    // The node's own API, even when its deployer listed it.
    expect(await (await f(fn(owner, "out", `/?to=${encodeURIComponent(`${t.url}/api/functions`)}`))).text()).toBe("403 private_address_refused");
    const bad = await f("/api/functions/out", jsonRequest(owner, "PATCH", { allowedHosts: ["not a host!"] }));
    expect(bad.status).toBe(400);
  });

  test("the Owner, and only the Owner, lets a function of theirs reach the LAN", async () => {
    const lan = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("from the LAN") });
    try {
      const code = `export default { fetch: async () => new Response(await (await fetch("http://127.0.0.1:${lan.port}/")).text()) };`;
      await deploy(owner, "lan", code, { visibility: "public", allowedHosts: [`127.0.0.1:${lan.port}`] });
      await deploy(admin, "lan", code, { visibility: "public", allowedHosts: [`127.0.0.1:${lan.port}`] });
      expect(await (await f(fn(owner, "lan"))).text()).toContain("private_address_refused");
      expect((await f("/api/functions/lan", jsonRequest(admin, "PATCH", { allowLan: true }))).status).toBe(403);
      const allowed = await f("/api/functions/lan", jsonRequest(owner, "PATCH", { allowLan: true }));
      expect((await allowed.json()).function.allowLan).toBe(true);
      expect(await (await f(fn(owner, "lan"))).text()).toBe("from the LAN");
      expect(await (await f(fn(admin, "lan"))).text()).toContain("private_address_refused");
    } finally {
      lan.stop(true);
    }
  });
});

describe("limits", () => {
  test("a loop and a memory bomb end only their own process; the node and other functions answer throughout", async () => {
    await deploy(
      owner,
      "bomb",
      `export default { fetch: (req: Request) => { const p = new URL(req.url).pathname; if (p === "/loop") for (;;) {} if (p === "/mem") { const a: number[][] = []; for (;;) a.push(new Array(1e6).fill(1)); } return new Response("fine"); } };`,
      { visibility: "public" },
    );
    const loop = f(fn(owner, "bomb", "/loop"));
    const started = performance.now();
    const health = await f("/health");
    expect(health.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await (await f(fn(owner, "hello", "/"))).json()).toMatchObject({ path: "/" });
    const looped = await loop;
    expect(looped.status).toBe(502);
    expect((await looped.json()).message).toContain("kept the CPU busy");
    expect(await (await f(fn(owner, "bomb", "/"))).text()).toBe("fine");
    const mem = await f(fn(owner, "bomb", "/mem"));
    expect(mem.status).toBe(502);
    expect((await mem.json()).message).toContain("memory");
    expect(await (await f(fn(owner, "bomb", "/"))).text()).toBe("fine");
    const logs = (await (await f("/api/functions/bomb/logs", { headers: owner.bearer })).json()).logs as { message: string }[];
    expect(logs.some((l) => l.message.includes("kept the CPU busy"))).toBe(true);
  });
});

describe("the function's address", () => {
  test("without its trailing slash, a permanent redirect to its root (method and query kept)", async () => {
    const res = await f(`/fn/${owner.address}/hello?q=2`, { redirect: "manual" });
    expect(res.status).toBe(308);
    expect(res.headers.get("location")).toBe(`/fn/${owner.address}/hello/?q=2`);
    const followed = await f(`/fn/${owner.address}/hello?q=2`);
    expect(await followed.json()).toMatchObject({ path: "/", q: "2" });
  });
});

describe("operations", () => {
  test("log lines reach the deployer's sockets live, and nobody else's; requests and errors are counted", async () => {
    const { Pc2WsClient } = await import("../../../web/api/ws-client.ts");
    await deploy(
      owner,
      "talker",
      `export default { fetch: (req: Request) => { const p = new URL(req.url).pathname; console.log("asked for", p); if (p === "/fail") throw new Error("broken"); return new Response("ok"); } };`,
      { visibility: "public" },
    );
    const mine = await Pc2WsClient.connect(t.wsUrl, { headers: owner.bearer });
    const theirs = await Pc2WsClient.connect(t.wsUrl, { headers: admin.bearer });
    const member = await Pc2WsClient.connect(t.wsUrl, { headers: (await addUser(f, owner, "member")).bearer });
    try {
      expect((await mine.subscribe(["functions"])).subscribed).toContain("functions");
      await theirs.subscribe(["functions"]);
      await expect(member.subscribe(["functions"])).rejects.toThrow();
      const heardByOthers: unknown[] = [];
      theirs.on("function.log", (p) => void heardByOthers.push(p));
      const line = mine.next("function.log");
      await (await f(fn(owner, "talker", "/hello"))).text();
      expect(await line).toMatchObject({ name: "talker", level: "info", message: "asked for /hello" });
      await (await f(fn(owner, "talker", "/fail"))).text();
      await Bun.sleep(100);
      expect(heardByOthers).toEqual([]);
    } finally {
      mine.close();
      theirs.close();
      member.close();
    }
    const metrics = (await (await f("/api/functions/talker", { headers: owner.bearer })).json()).function.metrics;
    expect(metrics).toMatchObject({ requests: 2, errors: 1 });
    expect(metrics.p50Ms).toBeGreaterThan(0);
  });
});

describe("after a restart", () => {
  test("a function's log lines and request counts are still there, up to the last line it wrote before the stop; its latencies start afresh", async () => {
    const dir = makeTempDir();
    try {
      let node = await startTestNode({ dataDir: dir.path });
      const h = httpFetcher(node.url);
      const me = await claimOwner(h, node.started.setup.code!);
      const res = await h(
        "/api/functions",
        jsonRequest(me, "POST", {
          name: "diary",
          visibility: "public",
          // With ?bulk, 300 lines of 4 KiB: far more than a pipe holds, so most are still on their
          // way when the answer arrives and the node stops.
          files: [
            {
              path: "main.ts",
              content: `export default { fetch: (req) => { if (new URL(req.url).searchParams.has("bulk")) { for (let i = 0; i < 300; i++) console.log("bulk " + i + " " + "x".repeat(4096)); } else console.log("noted"); return new Response("ok"); } };`,
            },
          ],
        }),
      );
      expect(res.status).toBe(201);
      for (let i = 0; i < 2; i++) expect(await (await h(`/fn/${me.address}/diary/`)).text()).toBe("ok");
      expect(await (await h(`/fn/${me.address}/diary/?bulk`)).text()).toBe("ok");
      await node.node.stop("test");
      node = await startTestNode({ dataDir: dir.path });
      const again = httpFetcher(node.url);
      const signedIn = await signIn(again, me.wallet);
      const logs = (await (await again("/api/functions/diary/logs", { headers: signedIn.bearer })).json()).logs as { message: string }[];
      expect(logs.filter((l) => l.message === "noted").length).toBe(2);
      expect(logs.filter((l) => l.message.startsWith("bulk ")).map((l) => Number(l.message.split(" ")[1]))).toEqual(Array.from({ length: 300 }, (_, i) => i));
      const metrics = (await (await again("/api/functions/diary", { headers: signedIn.bearer })).json()).function.metrics;
      expect(metrics).toEqual({ requests: 3, errors: 0, p50Ms: null, p99Ms: null });
      await node.node.stop("test");
    } finally {
      dir.remove();
    }
  });
});

describe("functions that go away", () => {
  const folders = () => new Set(readdirSync(join(t.dataDir, "functions")));

  test("a removed user's functions stop answering at once; their process, key-value data and folder go", async () => {
    const leaving = await addUser(f, owner, "admin");
    const before = folders();
    const d = await deploy(
      leaving,
      "counter",
      `export default { async fetch() { const kv = await Deno.openKv(); const r = await kv.get(["n"]); const n = (r.value ?? 0) + 1; await kv.set(["n"], n); return new Response(String(n)); } };`,
      { visibility: "public" },
    );
    expect(d.status).toBe(201);
    expect(await (await f(fn(leaving, "counter"))).text()).toBe("1");
    const added = [...folders()].filter((id) => !before.has(id));
    expect(added).toHaveLength(1);
    expect(existsSync(join(t.dataDir, "functions", added[0]!, "kv.sqlite"))).toBe(true);
    // A folder whose function left the database while the node was not looking (`pc2 owner reset`).
    const stray = join(t.dataDir, "functions", "0f0e0d0c-stray", "0123456789abcdef");
    mkdirSync(stray, { recursive: true });
    writeFileSync(join(stray, "bundle.js"), "export default {};");
    expect((await f(`/api/users/${leaving.address}`, { method: "DELETE", headers: owner.bearer })).status).toBe(200);
    const gone = await f(fn(leaving, "counter"));
    expect(gone.status).toBe(404);
    expect((await gone.json()).code).toBe("function_not_found");
    expect(folders().has(added[0]!)).toBe(false);
    expect(folders().has("0f0e0d0c-stray")).toBe(false);
    // Everyone else's functions are untouched.
    expect((await f(fn(owner, "hello"), { headers: owner.bearer })).status).toBe(200);
  });

  test("a change made by another process (the CLI beside a running node) applies within a second", async () => {
    await deploy(owner, "outside", `export default { fetch: () => new Response("on") };`, { visibility: "public" });
    expect((await f(fn(owner, "outside"))).status).toBe(200);
    const db = new Database(join(t.dataDir, "pc2.db"));
    try {
      db.run("PRAGMA busy_timeout = 5000");
      db.query("UPDATE functions SET disabled = 1 WHERE owner = ? AND name = ?").run(owner.address.toLowerCase(), "outside");
    } finally {
      db.close();
    }
    const deadline = performance.now() + 5000;
    let res = await f(fn(owner, "outside"));
    while (res.status === 200 && performance.now() < deadline) {
      await res.arrayBuffer();
      await Bun.sleep(50);
      res = await f(fn(owner, "outside"));
    }
    expect(res.status).toBe(503);
    expect((await res.json()).code).toBe("function_disabled");
  });
});
