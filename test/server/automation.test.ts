// The automation client (client/) against a real node: the three scripts docs/automation.md shows
// (a folder backup, a cron-like WASM job, a chat bot on the built-in engine's tiny model) run as
// processes of their own, and `pc2 remote` for files, WASM, AI and functions — with the refusals
// a script must see clearly (no token, a bad one, a token without the scope).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Pc2Client } from "../../client/pc2-client.ts";
import { makeTinyGguf } from "../../scripts/make-tiny-gguf.ts";
import { REPO, runCli } from "../helpers/spawned-node.ts";
import { makeTempDir } from "../helpers/temp-dir.ts";
import { startTestNode, type TestNode } from "../helpers/test-node.ts";
import { claimOwner, httpFetcher, mintToken, type SignedIn } from "../helpers/wallet-auth.ts";

const data = makeTempDir("pc2-auto-data-");
const local = makeTempDir("pc2-auto-local-");
let t: TestNode;
let owner: SignedIn;
let token: string;

const mint = (scopes: string[]) => mintToken(httpFetcher(t.url), owner, scopes, "script");

async function script(name: string, args: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  const proc = Bun.spawn([process.execPath, join(REPO, "client", "examples", name), ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", PC2_URL: t.url, PC2_TOKEN: token },
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}

beforeAll(async () => {
  makeTinyGguf(join(data.path, "models", "pc2-tiny.gguf"));
  t = await startTestNode({ dataDir: data.path, env: { PC2_AI_THREADS: "1", PC2_AI_CONTEXT_SIZE: "512", PC2_AI_OLLAMA_HOST: "http://127.0.0.1:9" } });
  owner = await claimOwner(httpFetcher(t.url), t.started.setup.code!);
  token = await mint(["files:read", "files:write", "wasm:run", "ai:chat", "functions:deploy"]);
});
afterAll(async () => {
  await t.stop();
  data.remove();
  local.remove();
});

describe("docs/automation.md's scripts", () => {
  test("backup-folder.ts: a folder of this machine, byte for byte, under ~/Backups", async () => {
    const src = join(local.path, "photos");
    mkdirSync(join(src, "2026", "june"), { recursive: true });
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
    writeFileSync(join(src, "2026", "june", "beach.raw"), big);
    writeFileSync(join(src, "notes – été.txt"), "notes");
    writeFileSync(join(src, "empty"), "");
    const run = await script("backup-folder.ts", [src]);
    expect(run.err.trim().split("\n").length).toBe(3); // one progress line per file (stderr is not a terminal)
    expect(run.code).toBe(0);
    const target = /to (~\/Backups\/photos\/\S+)$/m.exec(run.out)![1]!;
    const client = new Pc2Client(t.url, token);
    for (const rel of ["2026/june/beach.raw", "notes – été.txt", "empty"]) {
      const back = join(local.path, "back", rel);
      await client.files.get(`${target}/${rel}`, back);
      expect(Buffer.compare(readFileSync(back), readFileSync(join(src, rel))), rel).toBe(0);
    }
    await client.close();
  });

  test("wasm-cron.ts: a WASM app run on a schedule, a bounded number of times, each output kept", async () => {
    const run = await script("wasm-cron.ts", ["--app=calc", "--every=0.2", "--times=3", "--", "6*7"]);
    expect(run.code).toBe(0);
    expect(run.out.trim().split("\n")).toEqual(["run 1/3: exit 0, 42", "run 2/3: exit 0, 42", "run 3/3: exit 0, 42"]);
    const kept = await new Pc2Client(t.url, token).files.list("~/Jobs/calc");
    expect(kept.length).toBe(3);
  });

  test("chat-bot.ts: each line a turn of one conversation, the reply streamed", async () => {
    const run = await script("chat-bot.ts", ["--model=local/pc2-tiny"], "hello there\nand again\n");
    expect(run.code).toBe(0);
    expect(run.out.match(/^bot: /gm)?.length).toBe(2);
    const id = /2 turns in conversation (\S+)/.exec(run.out)![1]!;
    const conversation = (await (await fetch(`${t.url}/api/ai/conversations/${id}`, { headers: owner.bearer })).json()) as { messages: unknown[] };
    expect(conversation.messages.length).toBe(4);
  });
});

describe("pc2 remote", () => {
  test("files put, ls and get: the same bytes back, with a progress line", async () => {
    const file = join(local.path, "report.bin");
    writeFileSync(
      file,
      new Uint8Array(1024 * 1024 + 3).map((_, i) => i & 0xff),
    );
    const put = await runCli(["remote", t.url, "files", "put", file, "~/Documents/"], { PC2_TOKEN: token });
    expect(put.code).toBe(0);
    expect(put.stderr).toContain("↑ report.bin");
    const ls = await runCli(["remote", t.url, "files", "ls", "~/Documents"], { PC2_TOKEN: token });
    expect(ls.stdout).toMatch(/- +1\.0 MiB .*report\.bin/);
    const back = join(local.path, "report-back.bin");
    const get = await runCli(["remote", t.url, "files", "get", "~/Documents/report.bin", back], { PC2_TOKEN: token });
    expect(get.code).toBe(0);
    expect(Buffer.compare(readFileSync(back), readFileSync(file))).toBe(0);
  });

  test("wasm run streams the app's output; ai chat streams the reply; fn deploy prints the address", async () => {
    const wasm = await runCli(["remote", t.url, "wasm", "run", "calc", "32*32"], { PC2_TOKEN: token, PC2_NO_STDIN: "1" });
    if (wasm.code !== 0) console.log(wasm.stderr);
    expect(wasm.code).toBe(0);
    expect(wasm.stdout).toBe("1024\n");
    const ai = await runCli(["remote", t.url, "ai", "chat", "--model=local/pc2-tiny", "hi"], { PC2_TOKEN: token });
    expect(ai.code).toBe(0);
    expect(ai.stdout.length).toBeGreaterThan(1);
    const dir = join(local.path, "fn");
    mkdirSync(dir);
    writeFileSync(join(dir, "main.ts"), "export default { fetch: () => new Response('from the client') };");
    const fn = await runCli(["remote", t.url, "fn", "deploy", dir, "--name=client-made", "--public"], { PC2_TOKEN: token });
    expect(fn.code).toBe(0);
    const url = /: (http\S+)$/m.exec(fn.stdout)![1]!;
    expect(await (await fetch(url)).text()).toBe("from the client");
  });

  test("refused: no token (usage, 2), a bad token and a token without the scope (1, with the node's reason)", async () => {
    const none = await runCli(["remote", t.url, "files", "ls", "~"], {});
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("PC2_TOKEN");
    const bad = await runCli(["remote", t.url, "files", "ls", "~"], { PC2_TOKEN: "not-a-token" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("token_auth_failed");
    const readOnly = await mint(["files:read"]);
    const put = await runCli(["remote", t.url, "files", "put", join(local.path, "report.bin"), "~/Documents/x.bin"], { PC2_TOKEN: readOnly });
    expect(put.code).toBe(1);
    expect(put.stderr).toContain("insufficient_scope");
    const away = await runCli(["remote", "http://127.0.0.1:9", "files", "ls", "~"], { PC2_TOKEN: token });
    expect(away.code).toBe(1);
    expect(away.stderr).toContain("did not answer");
  });
});
