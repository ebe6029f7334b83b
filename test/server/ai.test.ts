// AI: the built-in llama.cpp engine on a generated tiny model (and on an Ollama-layout store),
// conversations, limits and the errors users meet: unknown model, provider down, broken model file.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTinyGguf, tinyModel } from "../../scripts/make-tiny-gguf.ts";
import { filesClient } from "../helpers/files-client.ts";
import { ndjsonLines } from "../helpers/ndjson.ts";
import { makeTempDir } from "../helpers/temp-dir.ts";
import { startTestNode, type TestNode } from "../helpers/test-node.ts";
import { addUser, claimOwner, httpFetcher, type SignedIn } from "../helpers/wallet-auth.ts";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz.";
let t: TestNode;
let owner: SignedIn;
let member: SignedIn;
const store = makeTempDir("pc2-ollama-store-");
const data = makeTempDir("pc2-ai-");

/** An Ollama-layout store holding the tiny model as "tinyllama:latest". */
function ollamaStore(root: string): void {
  const bytes = tinyModel();
  const digest = `sha256:${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}`;
  mkdirSync(join(root, "blobs"), { recursive: true });
  writeFileSync(join(root, "blobs", digest.replace(":", "-")), bytes);
  const manifest = join(root, "manifests", "registry.ollama.ai", "library", "tinyllama");
  mkdirSync(manifest, { recursive: true });
  writeFileSync(
    join(manifest, "latest"),
    JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.docker.distribution.manifest.v2+json", layers: [{ mediaType: "application/vnd.ollama.image.model", digest, size: bytes.length }] }),
  );
  // A manifest pointing outside the store is ignored, never followed.
  const evil = join(root, "manifests", "registry.ollama.ai", "library", "evil");
  mkdirSync(evil, { recursive: true });
  writeFileSync(join(evil, "latest"), JSON.stringify({ layers: [{ mediaType: "application/vnd.ollama.image.model", digest: "sha256:../../../../etc/passwd" }] }));
}

async function chat(who: SignedIn, body: unknown) {
  const res = await fetch(`${t.url}/api/ai/chat`, { method: "POST", headers: { ...who.bearer, "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, type: res.headers.get("content-type"), lines: res.headers.get("content-type")?.includes("ndjson") ? await ndjsonLines(res) : [await res.json()] };
}
const get = async (who: SignedIn, path: string) => {
  const res = await fetch(`${t.url}${path}`, { headers: who.bearer });
  return { status: res.status, body: await res.json() };
};

beforeAll(async () => {
  makeTinyGguf(join(data.path, "models", "pc2-tiny.gguf"));
  writeFileSync(join(data.path, "models", "broken.gguf"), Buffer.concat([Buffer.from("GGUF"), Buffer.alloc(64, 7)]));
  writeFileSync(join(data.path, "models", "notes.txt"), "not a model");
  ollamaStore(store.path);
  t = await startTestNode({ dataDir: data.path, env: { PC2_AI_THREADS: "1", PC2_AI_CONTEXT_SIZE: "512", PC2_AI_OLLAMA_STORES: store.path, PC2_AI_OLLAMA_HOST: "http://127.0.0.1:9" } });
  const f = httpFetcher(t.url);
  owner = await claimOwner(f, t.started.setup.code!);
  member = await addUser(f, owner, "member");
});
afterAll(async () => {
  await t.stop();
  store.remove();
  data.remove();
});

describe("built-in engine", () => {
  test("lists GGUF files and the models Ollama pulled; says which providers are down", async () => {
    const { status, body } = await get(member, "/api/ai/models");
    expect(status).toBe(200);
    expect(body.models.map((m: { id: string }) => m.id)).toEqual(["local/broken", "local/pc2-tiny", "local/tinyllama:latest"]);
    expect(body.unavailable).toEqual([{ provider: "ollama", message: expect.stringContaining("not reachable") }]);
    expect(body.default).toBe("local/broken");
  });

  test("a chat streams the reply token by token and is saved as a conversation", async () => {
    const r = await chat(member, { model: "local/pc2-tiny", message: "Hi!", temperature: 0 });
    expect(r.status).toBe(200);
    expect(r.type).toBe("application/x-ndjson");
    const [start, ...rest] = r.lines;
    const id = start!.conversationId as string;
    expect(start).toEqual({ type: "start", conversationId: id });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const tokens = rest.filter((l) => l.type === "token").map((l) => l.text);
    expect(tokens.length).toBeGreaterThan(1); // streamed in pieces (the worker coalesces pieces within 8 ms)
    expect(tokens.join("")).toBe(ALPHABET);
    expect(rest.at(-1)).toMatchObject({ type: "done", message: { role: "assistant", content: ALPHABET }, reason: "stop", model: "local/pc2-tiny" });

    const again = await chat(member, { conversationId: id, message: "More?", temperature: 0 });
    expect(again.lines.at(-1)).toMatchObject({ type: "done", conversationId: id, message: { content: ALPHABET } });
    const opened = await get(member, `/api/ai/conversations/${id}`);
    expect(opened.body).toMatchObject({ id, title: "Hi!", model: "local/pc2-tiny" });
    expect(opened.body.messages.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
      ["user", "Hi!"],
      ["assistant", ALPHABET],
      ["user", "More?"],
      ["assistant", ALPHABET],
    ]);
  });

  test("models from Ollama's store run without Ollama", async () => {
    const r = await chat(member, { model: "local/tinyllama:latest", message: "Hello", temperature: 0 });
    expect(r.lines.at(-1)).toMatchObject({ type: "done", message: { content: ALPHABET } });
  });

  test("maxTokens caps the reply", async () => {
    const r = await chat(member, { model: "local/pc2-tiny", message: "Hi!", maxTokens: 5, temperature: 0 });
    expect(r.lines.at(-1)).toMatchObject({ type: "done", message: { content: "abcde" }, reason: "length" });
  });

  test("conversations: list, rename, delete; another wallet sees none of them", async () => {
    const list = (await get(member, "/api/ai/conversations")).body.conversations;
    expect(list.length).toBeGreaterThanOrEqual(3);
    const id = list[0].id;
    const patch = await fetch(`${t.url}/api/ai/conversations/${id}`, {
      method: "PATCH",
      headers: { ...member.bearer, "content-type": "application/json" },
      body: JSON.stringify({ title: "Renamed" }),
    });
    expect(patch.status).toBe(200);
    expect((await get(member, `/api/ai/conversations/${id}`)).body.title).toBe("Renamed");
    expect((await get(owner, "/api/ai/conversations")).body.conversations).toEqual([]);
    expect((await get(owner, `/api/ai/conversations/${id}`)).body.code).toBe("conversation_not_found");
    expect((await chat(owner, { conversationId: id, message: "sneak" })).lines[0]).toMatchObject({ code: "conversation_not_found" });
    expect((await fetch(`${t.url}/api/ai/conversations/${id}`, { method: "DELETE", headers: owner.bearer })).status).toBe(404);
    expect((await fetch(`${t.url}/api/ai/conversations/${id}`, { method: "DELETE", headers: member.bearer })).status).toBe(200);
    expect((await get(member, `/api/ai/conversations/${id}`)).status).toBe(404);
  });

  test("attach one's own text files to a turn, never another wallet's", async () => {
    const files = filesClient(httpFetcher(t.url), member);
    await files.write("~/Documents", "notes.md", "# Notes\nbuy milk\n");
    const r = await chat(member, { model: "local/pc2-tiny", message: "Summarise", attachments: ["~/Documents/notes.md"], temperature: 0 });
    const id = r.lines[0]!.conversationId as string;
    const first = (await get(member, `/api/ai/conversations/${id}`)).body.messages[0];
    expect(first.content).toContain("Attached file notes.md:\n```\n# Notes\nbuy milk\n\n```");
    expect(first.attachments).toEqual([{ path: "~/Documents/notes.md", name: "notes.md", size: 17 }]);
    await filesClient(httpFetcher(t.url), owner).write("~/Documents", "secret.md", "owner's");
    expect((await chat(member, { model: "local/pc2-tiny", message: "x", attachments: [`/${owner.address}/Documents/secret.md`] })).lines[0]).toMatchObject({ code: "access_denied" });
    expect((await chat(member, { model: "local/pc2-tiny", message: "x", attachments: ["~/Documents/secret.md"] })).status).toBe(404);
  });

  test("unknown model, provider down, broken model file and bad input get clear errors", async () => {
    const cases: [unknown, number, string][] = [
      [{ model: "local/nope", message: "x" }, 404, "model_not_found"],
      [{ model: "gpt-5", message: "x" }, 404, "model_not_found"],
      [{ model: "local/../models/pc2-tiny", message: "x" }, 404, "model_not_found"],
      [{ model: "local/library/../evil", message: "x" }, 404, "model_not_found"],
      [{ model: "ollama/llama3.2", message: "x" }, 502, "provider_unavailable"],
      [{ model: "local/broken", message: "x" }, 500, "model_load_failed"],
      [{ model: "local/pc2-tiny" }, 400, "invalid_request"],
      [{ model: "local/pc2-tiny", message: "x", maxTokens: 10 ** 9 }, 400, "invalid_request"],
      [{ model: "local/pc2-tiny", message: "x", temperature: "hot" }, 400, "invalid_request"],
      [{ model: "local/pc2-tiny", message: "x", conversationId: "../../x" }, 404, "conversation_not_found"],
    ];
    for (const [body, status, code] of cases) {
      const r = await chat(member, body);
      // Provider and model-file failures surface after the stream started (as its last line) or before (as the status).
      const last = r.lines.at(-1) as { code?: string };
      expect([r.status === 200 ? status : r.status, last.code, body]).toEqual([status, code, body]);
    }
  });

  test("the default model is per wallet and must exist", async () => {
    const put = (who: SignedIn, model: string) =>
      fetch(`${t.url}/api/ai/default-model`, { method: "PUT", headers: { ...who.bearer, "content-type": "application/json" }, body: JSON.stringify({ model }) });
    expect((await put(member, "local/pc2-tiny")).status).toBe(200);
    expect((await get(member, "/api/ai/models")).body.default).toBe("local/pc2-tiny");
    expect((await get(owner, "/api/ai/models")).body.default).toBe("local/broken");
    expect((await put(member, "local/nope")).status).toBe(404);
    const r = await chat(member, { message: "Hi!", temperature: 0 }); // no model: the default
    expect(r.lines.at(-1)).toMatchObject({ model: "local/pc2-tiny", message: { content: ALPHABET } });
  });

  test("members cannot configure Ollama or pull and delete models", async () => {
    for (const [method, path] of [
      ["GET", "/api/ai/ollama"],
      ["PUT", "/api/ai/ollama"],
      ["POST", "/api/ai/models/pull"],
      ["POST", "/api/ai/models/delete"],
    ] as const) {
      const res = await fetch(`${t.url}${path}`, { method, headers: { ...member.bearer, "content-type": "application/json" }, body: method === "GET" ? undefined : "{}" });
      expect([path, res.status, (await res.json()).code]).toEqual([path, 403, "insufficient_role"]);
    }
  });
});
