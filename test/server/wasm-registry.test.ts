// The WASM app registry: Admins and the Owner install, list, update and remove their own apps.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { builtModule, wasmClient } from "../helpers/wasm-client.ts";
import { startTestNode, type TestNode } from "../helpers/test-node.ts";
import { httpFetcher, mintToken, ownerAdminMember, type SignedIn } from "../helpers/wallet-auth.ts";

let t: TestNode;
let owner: SignedIn;
let admin: SignedIn;
let member: SignedIn;
const wasm = builtModule;
const manifest = { name: "echo-app", description: "Echoes what it gets", icon: "🔁", args: [{ name: "words", label: "Words", type: "string", required: false }] };

async function send(who: SignedIn | Record<string, string>, method: string, path: string, parts: { manifest?: unknown; module?: Uint8Array }) {
  const fd = new FormData();
  if (parts.manifest !== undefined) fd.append("manifest", typeof parts.manifest === "string" ? parts.manifest : JSON.stringify(parts.manifest));
  if (parts.module) fd.append("module", new Blob([parts.module as Uint8Array<ArrayBuffer>]), "app.wasm");
  const headers = "bearer" in who ? (who as SignedIn).bearer : (who as Record<string, string>);
  const res = await fetch(`${t.url}${path}`, { method, headers, body: fd });
  return { status: res.status, body: await res.json() };
}
const install = (who: SignedIn, parts: { manifest?: unknown; module?: Uint8Array }) => send(who, "POST", "/api/wasm/apps", parts);
const list = (who: SignedIn) => wasmClient(t.url).list(who);
const execute = (who: SignedIn, body: unknown) => wasmClient(t.url).execute(who, body);
const moduleFiles = (who: SignedIn) => (existsSync(join(t.dataDir, "wasm-apps", who.address)) ? readdirSync(join(t.dataDir, "wasm-apps", who.address)) : []);

beforeAll(async () => {
  t = await startTestNode();
  ({ owner, admin, member } = await ownerAdminMember(httpFetcher(t.url), t.started.setup.code!));
});
afterAll(() => t.stop());

describe("WASM app registry", () => {
  test("an admin installs an app, sees it listed, runs it, updates it and removes it", async () => {
    const created = await install(admin, { manifest, module: wasm("wasm-fixtures", "echo") });
    expect(created.status).toBe(201);
    expect(created.body.app).toMatchObject({
      name: "echo-app",
      description: "Echoes what it gets",
      icon: "🔁",
      builtin: false,
      args: [{ name: "words", label: "Words", type: "string", required: false }],
    });
    const listed = (await list(admin)).body.apps;
    expect(listed.map((a: { name: string }) => a.name)).toEqual(["calc", "csv2json", "sha256", "wordcount", "echo-app"]);
    expect((await execute(admin, { app: "echo-app", args: ["hi"] })).body.result).toMatchObject({ exitCode: 0, stdout: "hi\n-\n" });
    const [firstModule] = moduleFiles(admin);

    // Update the manifest only, then the module too (the old module file goes).
    const renamed = await send(admin, "PUT", "/api/wasm/apps/echo-app", { manifest: { ...manifest, description: "Now better" } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.app.description).toBe("Now better");
    expect((await execute(admin, { app: "echo-app", args: ["still"] })).body.result.stdout).toBe("still\n-\n");
    const swapped = await send(admin, "PUT", "/api/wasm/apps/echo-app", { manifest, module: wasm("wasm-apps", "calc") });
    expect(swapped.status).toBe(200);
    expect((await execute(admin, { app: "echo-app", args: ["6*7"] })).body.result.stdout).toBe("42\n");
    expect(moduleFiles(admin)).toHaveLength(1);
    expect(moduleFiles(admin)).not.toContain(firstModule);

    const removed = await fetch(`${t.url}/api/wasm/apps/echo-app`, { method: "DELETE", headers: admin.bearer });
    expect(removed.status).toBe(200);
    expect(moduleFiles(admin)).toHaveLength(0);
    expect((await execute(admin, { app: "echo-app" })).body.code).toBe("wasm_app_not_found");
    expect((await fetch(`${t.url}/api/wasm/apps/echo-app`, { method: "DELETE", headers: admin.bearer })).status).toBe(404);
  });

  test("apps belong to the wallet that installed them", async () => {
    expect((await install(admin, { manifest, module: wasm("wasm-fixtures", "echo") })).status).toBe(201);
    expect((await list(owner)).body.apps.map((a: { name: string }) => a.name)).not.toContain("echo-app");
    expect((await execute(owner, { app: "echo-app" })).body.code).toBe("wasm_app_not_found");
    expect((await fetch(`${t.url}/api/wasm/apps/echo-app`, { method: "DELETE", headers: owner.bearer })).status).toBe(404);
    // The owner may install an app of the same name: a separate one.
    expect((await install(owner, { manifest: { ...manifest, description: "mine" }, module: wasm("wasm-apps", "calc") })).status).toBe(201);
    expect((await execute(admin, { app: "echo-app", args: ["x"] })).body.result.stdout).toBe("x\n-\n");
  });

  test("members get 403 with a clear code; a token needs the wasm:install scope", async () => {
    for (const r of [await list(member), await install(member, { manifest: { ...manifest, name: "m" }, module: wasm("wasm-fixtures", "echo") })]) {
      expect(r.status).toBe(403);
      expect(r.body.code).toBe("insufficient_role");
    }
    const token = await mintToken(httpFetcher(t.url), admin, ["wasm:run"], "runner");
    const runOnly = { authorization: `Bearer ${token}` };
    expect((await fetch(`${t.url}/api/wasm/apps`, { headers: runOnly })).status).toBe(200);
    const refused = await send(runOnly, "POST", "/api/wasm/apps", { manifest: { ...manifest, name: "tok" }, module: wasm("wasm-fixtures", "echo") });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("insufficient_scope");
  });

  test("bad modules and manifests are refused with clear codes, and nothing is installed", async () => {
    const echo = wasm("wasm-fixtures", "echo");
    const m = (extra: Record<string, unknown>) => ({ ...manifest, name: "bad", ...extra });
    const cases: [Parameters<typeof install>[1], number, string][] = [
      [{ manifest: m({}), module: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) }, 400, "invalid_wasm_module"],
      [{ manifest: m({}), module: echo.subarray(0, echo.length - 9) }, 400, "invalid_wasm_module"],
      [{ manifest: m({}), module: Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 2, 9, 1, 3, 0x65, 0x6e, 0x76, 1, 0x66, 0, 0]) }, 400, "forbidden_import"],
      [{ manifest: m({}), module: new Uint8Array(17 * 1024 * 1024) }, 413, "wasm_module_too_large"],
      [{ manifest: m({}) }, 400, "invalid_request"],
      [{ module: echo }, 400, "invalid_request"],
      [{ manifest: "{not json", module: echo }, 400, "invalid_request"],
      [{ manifest: m({ name: "Bad Name" }), module: echo }, 400, "invalid_request"],
      [{ manifest: m({ name: "../x" }), module: echo }, 400, "invalid_request"],
      [{ manifest: m({ extra: 1 }), module: echo }, 400, "invalid_request"],
      [{ manifest: m({ icon: "<script>" }), module: echo }, 400, "invalid_request"],
      [{ manifest: m({ icon: "data:image/svg+xml;base64,PHN2Zz4=" }), module: echo }, 400, "invalid_request"],
      [{ manifest: m({ args: [{ name: "has space" }] }), module: echo }, 400, "invalid_request"],
      [{ manifest: m({ args: "nope" }), module: echo }, 400, "invalid_request"],
      [{ manifest: m({ name: "calc" }), module: echo }, 409, "wasm_app_exists"],
    ];
    for (const [parts, status, code] of cases) {
      const r = await install(admin, parts);
      expect([r.status, r.body.code, parts.manifest]).toEqual([status, code, parts.manifest]);
    }
    expect((await list(admin)).body.apps.map((a: { name: string }) => a.name)).not.toContain("bad");
    expect((await install(admin, { manifest, module: echo })).body.code).toBe("wasm_app_exists"); // installed by the previous test
    expect((await send(admin, "PUT", "/api/wasm/apps/nope", { manifest: { ...manifest, name: "nope" } })).body.code).toBe("wasm_app_not_found");
    expect((await send(admin, "PUT", "/api/wasm/apps/echo-app", { manifest: { ...manifest, name: "other" } })).body.code).toBe("wasm_app_name_mismatch");
    const json = await fetch(`${t.url}/api/wasm/apps`, { method: "POST", headers: { ...admin.bearer, "content-type": "application/json" }, body: "{}" });
    expect(json.status).toBe(415);
  });
});
