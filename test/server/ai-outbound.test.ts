// Outbound requests a user controls (AI providers): checked on the address dialled at every request,
// by the caller's current role; secrets bound to the endpoint they were given for.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startOllamaStandIn } from "../helpers/ollama-stand-in.ts";
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
  cloud = startOpenAiStandIn("sk-admin", ["Hi", "."], 1);
});
afterAll(async () => {
  cloud.stop();
  await t.stop();
});

test("a Member cannot reach loopback, the LAN or metadata through any IPv6 spelling of them", async () => {
  const port = new URL(cloud.url).port;
  for (const baseUrl of [
    `http://[::ffff:7f00:1]:${port}/v1`,
    "http://[::ffff:a9fe:a9fe]/latest",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:7f00:1::1]/v1",
    "http://[::ffff:0:a00:5]/v1",
    "http://[::7f00:1]/v1",
    "http://0x7f000001/v1",
    "http://[fd00:ec2::254]/",
  ]) {
    const r = await send(member, "POST", "/api/ai/cloud", { name: "sneaky", baseUrl, apiKey: "k" });
    expect([baseUrl, r.status, r.body.code]).toEqual([baseUrl, 403, "private_address_refused"]);
  }
  expect((await send(member, "GET", "/api/ai/cloud")).body.connections).toEqual([]);
});

test("a base URL's query string cannot choose the upstream path", async () => {
  const r = await send(admin, "POST", "/api/ai/cloud", { name: "q", baseUrl: `${cloud.url}/models?x=`, apiKey: "sk-admin" });
  expect([r.status, r.body.code]).toEqual([400, "invalid_request"]);
  const frag = await send(admin, "POST", "/api/ai/cloud", { name: "q", baseUrl: `${cloud.url}#`, apiKey: "sk-admin" });
  expect(frag.status).toBe(400);
});

test("an Admin demoted to Member loses their LAN provider at once (checked at connect time)", async () => {
  expect((await send(admin, "POST", "/api/ai/cloud", { name: "lan", baseUrl: cloud.url, apiKey: "sk-admin" })).status).toBe(201);
  const ok = await send(admin, "POST", "/api/ai/chat", { model: "cloud/lan/gpt-test", message: "Hi" });
  expect(ok.body.at(-1)).toMatchObject({ type: "done", message: { content: "Hi." } });
  expect((await send(owner, "PATCH", `/api/users/${admin.address}`, { role: "member" })).status).toBe(200);
  const seen = cloud.keys.length;
  const refused = await send(admin, "POST", "/api/ai/chat", { model: "cloud/lan/gpt-test", message: "Hi" });
  expect(refused.body.at(-1)).toMatchObject({ type: "error", code: "private_address_refused" });
  expect(cloud.keys.length).toBe(seen); // nothing was sent
  expect((await send(owner, "PATCH", `/api/users/${admin.address}`, { role: "admin" })).status).toBe(200);
});

test("the Ollama token is bound to its host: a new host never receives it, and the old one loses it", async () => {
  const a = startOllamaStandIn([]);
  const b = startOllamaStandIn([]);
  try {
    expect((await send(owner, "PUT", "/api/ai/ollama", { host: a.url, token: "owner-token" })).body).toEqual({ host: a.url, hasToken: true });
    await send(member, "GET", "/api/ai/models");
    expect(a.authorizations.at(-1)).toBe("Bearer owner-token");
    // An Admin points Ollama elsewhere without a token: the Owner's token is dropped, not forwarded.
    expect((await send(admin, "PUT", "/api/ai/ollama", { host: b.url })).body).toEqual({ host: b.url, hasToken: false });
    await send(member, "GET", "/api/ai/models");
    expect(b.authorizations.length).toBeGreaterThan(0);
    expect(b.authorizations.every((h) => h === null)).toBe(true);
    expect((await send(admin, "PUT", "/api/ai/ollama", { host: a.url })).body).toEqual({ host: a.url, hasToken: false });
    // Same host, no token field: a token given for it is kept.
    await send(owner, "PUT", "/api/ai/ollama", { host: a.url, token: "t2" });
    expect((await send(owner, "PUT", "/api/ai/ollama", { host: `${a.url}/` })).body).toEqual({ host: a.url, hasToken: true });
    // Never link-local or metadata, even for Admins; never a query string.
    for (const host of ["http://169.254.169.254", "http://[fe80::1]:11434", `${a.url}/?x=`]) {
      const r = await send(admin, "PUT", "/api/ai/ollama", { host });
      expect([host, r.status]).toEqual([host, host.includes("?") ? 400 : 403]);
    }
  } finally {
    await send(owner, "PUT", "/api/ai/ollama", { host: "http://127.0.0.1:9", token: null });
    a.stop();
    b.stop();
  }
});

test("the node's Ollama is never anyone's implicit default model", async () => {
  const o = startOllamaStandIn(["tinyllama:latest"]);
  try {
    await send(owner, "PUT", "/api/ai/ollama", { host: o.url });
    await send(owner, "POST", "/api/ai/models/pull", { model: "ollama/tinyllama" });
    const listed = (await send(member, "GET", "/api/ai/models")).body;
    expect(listed.models.map((m: { id: string }) => m.id)).toContain("ollama/tinyllama:latest");
    expect(listed.default).toBeNull();
    const chat = await send(member, "POST", "/api/ai/chat", { message: "Hi" });
    expect([chat.status, chat.body.code]).toEqual([404, "model_not_found"]);
  } finally {
    await send(owner, "PUT", "/api/ai/ollama", { host: "http://127.0.0.1:9" });
    o.stop();
  }
});
