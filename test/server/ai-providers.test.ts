// AI providers end to end: PC2's Ollama-compatible API driven by the real `ollama` client, the
// Ollama provider talking to a real server doing real inference (another PC2's /ollama API), an
// OpenAI-compatible cloud stand-in (keys sealed, per wallet, never returned), /drivers/call, limits.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ollama } from "ollama";
import { makeTinyGguf } from "../../scripts/make-tiny-gguf.ts";
import { startOllamaStandIn } from "../helpers/ollama-stand-in.ts";
import { startOpenAiStandIn, type StandIn } from "../helpers/openai-stand-in.ts";
import { makeTempDir } from "../helpers/temp-dir.ts";
import { sendJson } from "../helpers/send-json.ts";
import { startTestNode, type TestNode } from "../helpers/test-node.ts";
import { addUser, claimOwner, httpFetcher, type SignedIn } from "../helpers/wallet-auth.ts";
import { ndjsonLines } from "../helpers/ndjson.ts";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz.";
let t: TestNode;
let owner: SignedIn;
let member: SignedIn;
let token: string;
let cloud: StandIn;
const data = makeTempDir("pc2-ai-providers-");

const send = (who: SignedIn, method: string, path: string, body?: unknown) => sendJson(t.url, who, method, path, body);

beforeAll(async () => {
  makeTinyGguf(join(data.path, "models", "pc2-tiny.gguf"));
  t = await startTestNode({ dataDir: data.path, env: { PC2_AI_THREADS: "1", PC2_AI_CONTEXT_SIZE: "512", PC2_AI_OLLAMA_STORES: "", PC2_AI_MAX_QUEUE: "0", PC2_AI_OLLAMA_HOST: "http://127.0.0.1:9" } });
  const f = httpFetcher(t.url);
  owner = await claimOwner(f, t.started.setup.code!);
  member = await addUser(f, owner, "member");
  token = (await send(member, "POST", "/api/tokens", { name: "ollama-tools", scopes: ["ai:chat"] })).body.token;
  cloud = startOpenAiStandIn("sk-owner-secret", ["Hello", " from", " the", " cloud", "."], 40);
});
afterAll(async () => {
  cloud.stop();
  await t.stop();
  data.remove();
});

describe("PC2's Ollama-compatible API, with the real ollama client", () => {
  const client = () => new Ollama({ host: `${t.url}/ollama`, headers: { authorization: `Bearer ${token}` } });

  test("chat (streamed and not), generate, tags, show", async () => {
    const parts: string[] = [];
    let last: { done: boolean; done_reason?: string; eval_count?: number } | null = null;
    for await (const part of await client().chat({ model: "local/pc2-tiny", messages: [{ role: "user", content: "Hi!" }], stream: true, options: { temperature: 0 } })) {
      parts.push(part.message.content);
      last = part;
    }
    expect(parts.join("")).toBe(ALPHABET);
    expect(last).toMatchObject({ done: true, done_reason: "stop" });
    const whole = await client().chat({ model: "local/pc2-tiny", messages: [{ role: "user", content: "Hi!" }], options: { temperature: 0 } });
    expect(whole.message).toEqual({ role: "assistant", content: ALPHABET });
    const raw = await client().generate({ model: "local/pc2-tiny", prompt: "hello", raw: true, options: { temperature: 0 } });
    expect(raw.response).toBe("pqrstuvwxyz.");
    const { models } = await client().list();
    expect(models.map((m) => m.name)).toContain("local/pc2-tiny");
    const shown = await client().show({ model: "local/pc2-tiny" });
    expect(shown.model_info).toMatchObject({ "general.architecture": "llama", "llama.context_length": 2048 });
  });

  test("unknown model and missing credentials are Ollama-style errors", async () => {
    const err = await client()
      .chat({ model: "local/nope", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e as { status_code: number; error: string });
    expect(err).toMatchObject({ status_code: 404, error: expect.stringContaining("No built-in model named nope") });
    const anonymous = await new Ollama({ host: `${t.url}/ollama` }).list().then(
      () => null,
      (e: unknown) => e as { status_code: number },
    );
    expect(anonymous?.status_code).toBe(401);
  });
});

describe("the Ollama provider", () => {
  test("talks to a real Ollama-protocol server doing real inference (this node's /ollama API)", async () => {
    expect((await send(owner, "PUT", "/api/ai/ollama", { host: `${t.url}/ollama`, token })).body).toEqual({ host: `${t.url}/ollama`, hasToken: true });
    expect((await send(owner, "GET", "/api/ai/ollama")).body).toEqual({ host: `${t.url}/ollama`, hasToken: true }); // the token is never shown
    const { body } = await send(member, "GET", "/api/ai/models");
    expect(body.models.map((m: { id: string }) => m.id)).toEqual(["local/pc2-tiny", "ollama/local/pc2-tiny"]);
    const r = await send(member, "POST", "/api/ai/chat", { model: "ollama/local/pc2-tiny", message: "Hi!", temperature: 0 });
    expect(r.body.filter((l: { type: string }) => l.type === "token").length).toBeGreaterThan(1);
    expect(r.body.at(-1)).toMatchObject({ type: "done", message: { content: ALPHABET }, model: "ollama/local/pc2-tiny" });
    expect((await send(member, "POST", "/api/ai/chat", { model: "ollama/local/missing", message: "x" })).body.at(-1)).toMatchObject({ code: "model_not_found" });
    expect((await send(owner, "PUT", "/api/ai/ollama", { host: "ftp://x" })).status).toBe(400);
    // Back to no Ollama (the token above is the member's: later tests must not act through it).
    expect((await send(owner, "PUT", "/api/ai/ollama", { host: "http://127.0.0.1:9", token: null })).body).toEqual({ host: "http://127.0.0.1:9", hasToken: false });
  });

  test("pull and delete say clearly when Ollama is not running; only Ollama models qualify", async () => {
    const pulled = await send(owner, "POST", "/api/ai/models/pull", { model: "ollama/llama3.2" });
    expect([pulled.status, pulled.body.code]).toEqual([502, "provider_unavailable"]);
    const deleted = await send(owner, "POST", "/api/ai/models/delete", { model: "ollama/llama3.2" });
    expect([deleted.status, deleted.body.code]).toEqual([502, "provider_unavailable"]);
    expect((await send(owner, "POST", "/api/ai/models/pull", { model: "local/pc2-tiny" })).status).toBe(400);
  });

  test("pull with progress, list, delete (Ollama's model management protocol)", async () => {
    const ollama = startOllamaStandIn(["tinyllama:latest"]);
    try {
      await send(owner, "PUT", "/api/ai/ollama", { host: ollama.url });
      const pulled = await send(owner, "POST", "/api/ai/models/pull", { model: "ollama/tinyllama" });
      expect(pulled.status).toBe(200);
      const progress = pulled.body.filter((l: { type: string }) => l.type === "progress");
      expect(progress.map((p: { status: string }) => p.status)).toEqual(["pulling manifest", "pulling 6a0746a1ec1a", "pulling 6a0746a1ec1a", "verifying sha256 digest", "success"]);
      expect(progress[2]).toMatchObject({ completed: 3000, total: 3000 });
      expect(pulled.body.at(-1)).toEqual({ type: "done", model: "ollama/tinyllama" });
      expect((await send(member, "GET", "/api/ai/models")).body.models.map((m: { id: string }) => m.id)).toContain("ollama/tinyllama:latest");
      const missing = await send(owner, "POST", "/api/ai/models/pull", { model: "ollama/nope" });
      expect([missing.status, missing.body.code]).toEqual([404, "model_not_found"]);
      expect((await send(owner, "POST", "/api/ai/models/delete", { model: "ollama/tinyllama" })).body).toEqual({ deleted: true });
      expect((await send(member, "GET", "/api/ai/models")).body.models.map((m: { id: string }) => m.id)).not.toContain("ollama/tinyllama:latest");
      expect((await send(owner, "POST", "/api/ai/models/delete", { model: "ollama/tinyllama" })).status).toBe(404);
    } finally {
      ollama.stop();
      await send(owner, "PUT", "/api/ai/ollama", { host: "http://127.0.0.1:9" });
    }
  });
});

describe("OpenAI-compatible cloud providers", () => {
  test("a wallet's key is sealed at rest, never returned, and used only for that wallet", async () => {
    // The Owner may use a provider on the LAN or this machine (the stand-in listens on 127.0.0.1).
    const added = await send(owner, "POST", "/api/ai/cloud", { name: "acme", baseUrl: cloud.url, apiKey: "sk-owner-secret" });
    expect(added.status).toBe(201);
    expect(JSON.stringify(added.body)).not.toContain("sk-owner-secret");
    expect(JSON.stringify((await send(owner, "GET", "/api/ai/cloud")).body)).not.toContain("sk-owner-secret");
    const db = readFileSync(join(t.dataDir, "pc2.db"));
    const wal = readFileSync(join(t.dataDir, "pc2.db-wal"));
    expect(db.includes("sk-owner-secret") || wal.includes("sk-owner-secret")).toBe(false);

    const models = (await send(owner, "GET", "/api/ai/models")).body.models.map((m: { id: string }) => m.id);
    expect(models).toContain("cloud/acme/gpt-test");
    const r = await send(owner, "POST", "/api/ai/chat", { model: "cloud/acme/gpt-test", message: "Hi" });
    expect(r.body.filter((l: { type: string }) => l.type === "token").map((l: { text: string }) => l.text)).toEqual(["Hello", " from", " the", " cloud", "."]);
    expect(r.body.at(-1)).toMatchObject({ type: "done", message: { content: "Hello from the cloud." }, usage: { promptTokens: 5, tokens: 5 } });

    // The member has no such connection: the owner's key is never used for them.
    const seen = cloud.keys.length;
    expect((await send(member, "GET", "/api/ai/models")).body.models.map((m: { id: string }) => m.id)).not.toContain("cloud/acme/gpt-test");
    const refused = await send(member, "POST", "/api/ai/chat", { model: "cloud/acme/gpt-test", message: "Hi" });
    expect([refused.status, refused.body.code]).toEqual([404, "model_not_found"]);
    expect(cloud.keys.length).toBe(seen);
  });

  test("a wrong key is a clear 502 provider_auth_failed (not a sign-out)", async () => {
    await send(owner, "POST", "/api/ai/cloud", { name: "wrong", baseUrl: cloud.url, apiKey: "sk-wrong" });
    const r = await send(owner, "POST", "/api/ai/chat", { model: "cloud/wrong/gpt-test", message: "Hi" });
    expect(r.body.at(-1)).toMatchObject({ code: "provider_auth_failed" });
    expect(cloud.keys.at(-1)).toBe("Bearer sk-wrong");
    expect((await send(owner, "DELETE", "/api/ai/cloud/wrong")).status).toBe(200);
    expect((await send(owner, "POST", "/api/ai/cloud", { name: "Bad Name", baseUrl: cloud.url, apiKey: "k" })).status).toBe(400);
    expect((await send(owner, "POST", "/api/ai/cloud", { name: "x", baseUrl: "file:///etc/passwd", apiKey: "k" })).status).toBe(400);
  });

  test("members may connect only to public providers (no loopback, LAN or metadata addresses)", async () => {
    for (const baseUrl of [cloud.url, "http://localhost:11434/v1", "http://169.254.169.254/latest", "http://10.0.0.5/v1", "http://[::1]:8080/v1", "http://192.168.1.2/v1"]) {
      const r = await send(member, "POST", "/api/ai/cloud", { name: "sneaky", baseUrl, apiKey: "k" });
      expect([baseUrl, r.status, r.body.code]).toEqual([baseUrl, 403, "private_address_refused"]);
    }
    expect((await send(member, "GET", "/api/ai/cloud")).body.connections).toEqual([]);
  });

  test("cancelling a stream over /ws stops the upstream request; the partial reply is kept", async () => {
    const { Pc2WsClient } = await import("../../web/api/ws-client.ts");
    const ws = await Pc2WsClient.connect(t.wsUrl, { headers: owner.bearer });
    const ctrl = new AbortController();
    const first = ws.next("ai.token");
    const reply = ws.call<{ conversationId: string; reason: string; message: { content: string } }>("ai.chat", { model: "cloud/acme/gpt-test", message: "Hi" }, { signal: ctrl.signal });
    expect(await first).toMatchObject({ text: "Hello" });
    ctrl.abort();
    const result = await reply;
    expect(result.reason).toBe("cancelled");
    await Bun.sleep(300);
    expect(cloud.abandoned).toBe(1); // the provider saw the client go away mid-stream
    const saved = (await send(owner, "GET", `/api/ai/conversations/${result.conversationId}`)).body.messages.at(-1);
    expect(saved).toMatchObject({ role: "assistant", stopReason: "cancelled" });
    expect(saved.content.startsWith("Hello")).toBe(true);
    ws.close();
  });
});

describe("Puter's /drivers/call (puter-chat-completion)", () => {
  test("non-streamed and streamed, with the SDK's body token", async () => {
    const call = (args: Record<string, unknown>) =>
      fetch(`${t.url}/drivers/call`, {
        method: "POST",
        headers: { "content-type": "text/plain;actually=json" },
        body: JSON.stringify({ interface: "puter-chat-completion", driver: "ai-chat", test_mode: false, method: "complete", args, auth_token: member.token }),
      });
    const plain = await (await call({ messages: [{ content: "Say hello" }], model: "local/pc2-tiny", temperature: 0 })).json();
    expect(plain).toMatchObject({ success: true, result: { message: { role: "assistant", content: ALPHABET }, finish_reason: "stop", via_ai_chat_service: true } });
    const streamed = await ndjsonLines(await call({ messages: [{ content: "Say hello" }], model: "local/pc2-tiny", stream: true, temperature: 0 }));
    expect(
      streamed
        .filter((l) => l.type === "text")
        .map((l) => l.text)
        .join(""),
    ).toBe(ALPHABET);
    const other = await fetch(`${t.url}/drivers/call`, {
      method: "POST",
      headers: { ...member.bearer, "content-type": "application/json" },
      body: JSON.stringify({ interface: "puter-kvstore", method: "get", args: {} }),
    });
    expect((await other.json()).code).toBe("interface_not_found");
  });
});

describe("engine limits", () => {
  test("beyond the concurrent generations and the queue, a clear 503 ai_busy", async () => {
    const chat = () => send(member, "POST", "/api/ai/chat", { model: "local/pc2-tiny", message: "Hi!", temperature: 0 });
    const [a, b] = await Promise.all([chat(), chat()]);
    // The second is refused at once, as the last line of its stream (its turn is kept, unanswered).
    const outcomes = [a, b].map((r) => r.body.at(-1).code ?? r.body.at(-1).type).sort();
    expect(outcomes).toEqual(["ai_busy", "done"]);
  });
});
