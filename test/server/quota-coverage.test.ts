// Everything a wallet makes the node store counts against its quota: files, chat history and
// unfinished uploads; each request is bounded, and a refused request stores nothing.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { filesClient } from "../helpers/files-client.ts";
import { builtModule } from "../helpers/wasm-client.ts";
import { startOpenAiStandIn, type StandIn } from "../helpers/openai-stand-in.ts";
import { sendJson } from "../helpers/send-json.ts";
import { startTestNode, type TestNode } from "../helpers/test-node.ts";
import { httpFetcher, ownerAdminMember, type SignedIn } from "../helpers/wallet-auth.ts";

let t: TestNode;
let owner: SignedIn;
let admin: SignedIn;
let member: SignedIn;
let cloud: StandIn;

const send = (who: SignedIn, method: string, path: string, body?: unknown) => sendJson(t.url, who, method, path, body);

beforeAll(async () => {
  t = await startTestNode({ env: { PC2_AI_OLLAMA_STORES: "", PC2_AI_OLLAMA_HOST: "http://127.0.0.1:9" } });
  ({ owner, admin, member } = await ownerAdminMember(httpFetcher(t.url), t.started.setup.code!));
  cloud = startOpenAiStandIn("sk-q", ["ok"], 1);
  expect((await send(admin, "POST", "/api/ai/cloud", { name: "q", baseUrl: cloud.url, apiKey: "sk-q" })).status).toBe(201);
});
afterAll(async () => {
  cloud.stop();
  await t.stop();
});

test("chat history counts against the quota; a turn that would go over is refused before anything is stored or sent", async () => {
  expect((await send(owner, "PUT", `/api/files/quotas/${admin.address}`, { bytes: 6000 })).status).toBe(200);
  const first = await send(admin, "POST", "/api/ai/chat", { model: "cloud/q/gpt-test", message: "x".repeat(3000) });
  expect(first.body.at(-1)).toMatchObject({ type: "done" });
  const quota = (await send(admin, "GET", "/api/files/quota")).body;
  expect(quota.usedBy.ai).toBeGreaterThan(3000);
  expect(quota.used).toBe(quota.usedBy.files + quota.usedBy.ai + quota.usedBy.uploads + quota.usedBy.wasmApps);

  const conversations = (await send(admin, "GET", "/api/ai/conversations")).body.conversations.length;
  const sent = cloud.keys.length;
  const over = await send(admin, "POST", "/api/ai/chat", { model: "cloud/q/gpt-test", message: "y".repeat(3500) });
  expect([over.status, over.body.code]).toEqual([413, "storage_quota_exceeded"]);
  expect(cloud.keys.length).toBe(sent); // the provider never saw it
  expect((await send(admin, "GET", "/api/ai/conversations")).body.conversations.length).toBe(conversations); // no empty conversation left

  // Files see the same total: a file that would have fit without the history does not.
  const fs = filesClient(httpFetcher(t.url), admin);
  expect((await fs.write("~/Documents", "fits-without-history.bin", new Uint8Array(3500))).body.code).toBe("storage_quota_exceeded");
  // Deleting the conversation gives the space back.
  const [c] = (await send(admin, "GET", "/api/ai/conversations")).body.conversations;
  await send(admin, "DELETE", `/api/ai/conversations/${c.id}`);
  expect((await send(admin, "GET", "/api/files/quota")).body.usedBy.ai).toBe(0);
  expect((await fs.write("~/Documents", "fits-now.bin", new Uint8Array(3500))).status).toBe(200);
  await send(owner, "PUT", `/api/files/quotas/${admin.address}`, { bytes: null });
});

test("installed WASM apps count too: an install past the quota is refused and stores nothing", async () => {
  const install = (name: string) => {
    const fd = new FormData();
    fd.append("manifest", JSON.stringify({ name, description: "echo" }));
    fd.append("module", new Blob([builtModule("wasm-fixtures", "echo")]), "echo.wasm");
    return fetch(`${t.url}/api/wasm/apps`, { method: "POST", headers: admin.bearer, body: fd }).then(async (r) => ({ status: r.status, body: await r.json() }));
  };
  const size = builtModule("wasm-fixtures", "echo").length;
  const used = (await send(admin, "GET", "/api/files/quota")).body.used;
  expect((await send(owner, "PUT", `/api/files/quotas/${admin.address}`, { bytes: used + size + 100 })).status).toBe(200);
  expect((await install("echo-one")).status).toBe(201);
  expect((await send(admin, "GET", "/api/files/quota")).body.usedBy.wasmApps).toBe(size);
  expect((await install("echo-two")).status).toBe(201); // the same module again costs nothing more
  expect((await send(owner, "PUT", `/api/files/quotas/${admin.address}`, { bytes: used + size - 1 })).status).toBe(200);
  const other = new FormData();
  other.append("manifest", JSON.stringify({ name: "bomb-app", description: "x" }));
  other.append("module", new Blob([builtModule("wasm-fixtures", "bomb")]), "bomb.wasm");
  const refused = await fetch(`${t.url}/api/wasm/apps`, { method: "POST", headers: admin.bearer, body: other });
  expect([refused.status, (await refused.json()).code]).toEqual([413, "storage_quota_exceeded"]);
  expect((await fetch(`${t.url}/api/wasm/apps`, { headers: admin.bearer }).then((r) => r.json())).apps.map((a: { name: string }) => a.name)).not.toContain("bomb-app");
  await send(owner, "PUT", `/api/files/quotas/${admin.address}`, { bytes: null });
});

test("attachments: the same file twice is refused, and one turn's attachments are bounded together", async () => {
  const fs = filesClient(httpFetcher(t.url), admin);
  await fs.write("~/Documents", "notes.txt", "some notes");
  const twice = await send(admin, "POST", "/api/ai/chat", { model: "cloud/q/gpt-test", message: "hi", attachments: Array(8).fill("~/Documents/notes.txt") });
  expect([twice.status, twice.body.code]).toEqual([400, "invalid_request"]);
  for (let i = 0; i < 5; i++) await fs.write("~/Documents", `big-${i}.txt`, "z".repeat(250 * 1024));
  const many = await send(admin, "POST", "/api/ai/chat", { model: "cloud/q/gpt-test", message: "hi", attachments: [0, 1, 2, 3, 4].map((i) => `~/Documents/big-${i}.txt`) });
  expect([many.status, many.body.code]).toEqual([413, "attachment_too_large"]);
});

test("unfinished uploads hold their size against the quota, for every kind of write, and are capped in number", async () => {
  const fm = filesClient(httpFetcher(t.url), member);
  expect((await send(owner, "PUT", `/api/files/quotas/${member.address}`, { bytes: 10_000 })).status).toBe(200);
  const open = await send(member, "POST", "/api/files/uploads", { path: "~/Documents/later.bin", size: 8000 });
  expect(open.status).toBe(201);
  expect((await send(member, "GET", "/api/files/quota")).body.usedBy.uploads).toBe(8000);
  // A one-request upload cannot take the space an unfinished upload holds.
  expect((await fm.write("~/Documents", "now.bin", new Uint8Array(3000))).body.code).toBe("storage_quota_exceeded");
  expect((await send(member, "DELETE", `/api/files/uploads/${open.body.id}`)).status).toBe(200);
  expect((await fm.write("~/Documents", "now.bin", new Uint8Array(3000))).status).toBe(200);
  await send(owner, "PUT", `/api/files/quotas/${member.address}`, { bytes: null });

  const ids: string[] = [];
  for (let i = 0; i < 32; i++) ids.push((await send(member, "POST", "/api/files/uploads", { path: `~/Documents/u${i}.bin`, size: 1 })).body.id);
  const extra = await send(member, "POST", "/api/files/uploads", { path: "~/Documents/u-extra.bin", size: 1 });
  expect([extra.status, extra.body.code]).toEqual([429, "too_many_uploads"]);
  for (const id of ids) await send(member, "DELETE", `/api/files/uploads/${id}`);
});

test("boundaries: a write that reaches the quota exactly is accepted; one byte more is refused, however it arrives", async () => {
  const fm = filesClient(httpFetcher(t.url), member);
  const used = (await send(member, "GET", "/api/files/quota")).body.used;
  expect((await send(owner, "PUT", `/api/files/quotas/${member.address}`, { bytes: used + 100 })).status).toBe(200);
  // Declared up front (a resumable upload): exactly the room left, then one byte more.
  const exact = await send(member, "POST", "/api/files/uploads", { path: "~/Documents/exact.bin", size: 100 });
  expect(exact.status).toBe(201);
  await send(member, "DELETE", `/api/files/uploads/${exact.body.id}`);
  expect((await send(member, "POST", "/api/files/uploads", { path: "~/Documents/over.bin", size: 101 })).body.code).toBe("storage_quota_exceeded");
  // Checked at commit (an undeclared one-request upload): 101 bytes fail, 100 fill it, then 1 more fails.
  expect((await fm.write("~/Documents", "over.bin", new Uint8Array(101))).body.code).toBe("storage_quota_exceeded");
  expect((await fm.write("~/Documents", "exact.bin", new Uint8Array(100))).status).toBe(200);
  expect((await send(member, "GET", "/api/files/quota")).body).toMatchObject({ used: used + 100, available: 0 });
  expect((await fm.write("~/Documents", "one-more.bin", new Uint8Array(1))).body.code).toBe("storage_quota_exceeded");
  await send(owner, "PUT", `/api/files/quotas/${member.address}`, { bytes: null });
});
