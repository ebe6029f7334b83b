import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import { release } from "../../scripts/release.ts";
import { checkRelease, publisherKeyOf, thisPlatform } from "../../server/update/release-manifest.ts";
import { Pc2WsClient } from "../../web/api/ws-client.ts";
import { spawnNode } from "../helpers/spawned-node.ts";
import { makeTempDir } from "../helpers/temp-dir.ts";
import { claimOwner, httpFetcher } from "../helpers/wallet-auth.ts";
import { makeTinyGguf } from "../../scripts/make-tiny-gguf.ts";
import { filesClient } from "../helpers/files-client.ts";
import { ndjsonLines } from "../helpers/ndjson.ts";

const build = makeTempDir("pc2-bin-");
/** Built as a release is (scripts/release.ts): stamped with its version and the publisher's key. */
const VERSION = "0.1.1-test";
const keyFile = join(build.path, "release.key");
let binary = "";
let manifestFile = "";

beforeAll(async () => {
  writeFileSync(keyFile, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
  const r = await release({ keyFile, version: VERSION, baseUrl: "https://releases.example/pc2/", channel: "stable", minFrom: "0.0.0", notes: "A test release.", out: build.path });
  binary = r.binaryFile;
  manifestFile = r.manifestFile;
}, 180_000);
afterAll(() => build.remove());

describe("the single binary", () => {
  test("its start-up bytecode was laid out first, from a profile of the release binary starting (scripts/bytecode-profile.ts)", () => {
    for (const name of ["restart.order", "first-start.order"]) {
      const order = readFileSync(join(import.meta.dir, "..", "..", "dist", ".build", "profile", name), "utf8").split("\n");
      expect(order[0]).toBe("v2");
      expect(order.length).toBeGreaterThan(5_000);
    }
  });

  test("a release build: its version and publisher key are stamped in, and its signed manifest matches it byte for byte", async () => {
    expect(binary.endsWith(`pc2-${VERSION}-${thisPlatform()}`)).toBe(true);
    const version = Bun.spawnSync([binary, "version"], { stdout: "pipe" });
    expect(version.stdout.toString().trim()).toBe(VERSION);
    const doc = JSON.parse(readFileSync(manifestFile, "utf8"));
    const seed = new Uint8Array(Buffer.from(readFileSync(keyFile, "utf8").trim(), "hex"));
    const m = checkRelease(doc, { publicKey: publisherKeyOf(seed), running: "0.1.0", platform: thisPlatform(), channel: "stable" });
    expect(m).toMatchObject({ version: VERSION, url: `https://releases.example/pc2/pc2-${VERSION}-${thisPlatform()}`, notes: "A test release." });
    const bytes = readFileSync(binary);
    expect([m.size, m.sha256]).toEqual([bytes.length, createHash("sha256").update(bytes).digest("hex")]);
    // The binary trusts the key it was built with: given only the manifest's URL, it checks by itself.
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(JSON.stringify(doc), { headers: { "content-type": "application/json" } }) });
    try {
      const data = makeTempDir("pc2-data-");
      // (Spawned without blocking: this process serves the manifest.)
      const check = Bun.spawn([binary, "update", "check", "--json"], {
        stdout: "pipe",
        stderr: "pipe",
        env: { PATH: process.env.PATH!, PC2_DATA_DIR: data.path, PC2_UPDATE_MANIFEST_URL: `http://127.0.0.1:${server.port}/manifest.json` },
      });
      const [out, err, code] = await Promise.all([new Response(check.stdout).text(), new Response(check.stderr).text(), check.exited]);
      data.remove();
      expect([code, err]).toEqual([0, ""]);
      expect(JSON.parse(out)).toMatchObject({ current: VERSION, install: "binary", state: "up-to-date" });
    } finally {
      server.stop(true);
    }
  });

  test("starts from any directory with its data elsewhere, serves the API, /ws and the embedded desktop", async () => {
    const cwd = makeTempDir("pc2-cwd-");
    const data = makeTempDir("pc2-data-");
    try {
      const n = await spawnNode(
        { PC2_DATA_DIR: data.path, PC2_AI_THREADS: "1", PC2_AI_CONTEXT_SIZE: "512", PC2_AI_OLLAMA_STORES: "", PC2_AI_OLLAMA_HOST: "http://127.0.0.1:9" },
        { command: [binary], cwd: cwd.path },
      );
      const health = await (await fetch(`${n.url}/health`)).json();
      expect(health.status).toBe("ok");
      const info = await (await fetch(`${n.url}/api/info`)).json();
      expect(info.did).toBe(`did:boson:${info.nodeId}`);

      const page = await fetch(`${n.url}/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain("<pc2-app>");
      const script = /src="\.?(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
      const js = await fetch(`${n.url}${script}`);
      expect(js.status).toBe(200);
      expect(js.headers.get("cache-control")).toContain("immutable");
      expect((await js.text()).length).toBeGreaterThan(1000);

      const owner = await claimOwner(httpFetcher(n.url), /Setup code: (\S+)/.exec(n.stdout())![1]!);
      expect(owner.role).toBe("owner");
      const ws = await Pc2WsClient.connect(n.url.replace("http", "ws") + "/ws", { headers: owner.bearer });
      expect((await ws.call<{ nodeId: string }>("system.info")).nodeId).toBe(info.nodeId);
      ws.close();

      // Files work from the binary too: the IPFS worker is embedded and pins the upload.
      const fs = filesClient(httpFetcher(n.url), owner);
      const written = await fs.write("~/Documents", "hello.txt", "hello\n");
      expect(written.body.cid).toBe("bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am");
      expect(new TextDecoder().decode((await fs.read("~/Documents/hello.txt")).bytes)).toBe("hello\n");
      // Two leaves, imported and pinned before the answer: read back through IPFS by the CLI below.
      expect((await fs.write("~/Documents", "two-leaves.bin", new Uint8Array(1.5 * 1024 * 1024).fill(7))).status).toBe(200);
      const details = await (await fetch(`${n.url}/health`, { headers: owner.bearer })).json();
      expect(details.components.ipfs).toEqual({ status: "ok" });

      // The sample WASM apps are embedded, and the binary is its own sandbox child process.
      const apps = (await (await fetch(`${n.url}/api/wasm/apps`, { headers: owner.bearer })).json()).apps;
      expect(apps.map((a: { name: string }) => a.name)).toEqual(["calc", "csv2json", "sha256", "wordcount"]);
      const execute = (body: unknown) =>
        fetch(`${n.url}/api/wasm/execute`, { method: "POST", headers: { ...owner.bearer, "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json());
      expect((await execute({ app: "calc", args: ["6*7"] })).result).toMatchObject({ exitCode: 0, stdout: "42\n" });
      // Input files mounted from storage, as in the source tree.
      expect((await execute({ app: "wordcount", files: ["~/Documents/hello.txt"] })).result.stdout).toBe("1 1 6 hello.txt\n");

      // What the binary loads only when first asked: a folder as a zip, the API document.
      const zip = await fetch(`${n.url}/api/files/zip?path=${encodeURIComponent("~/Documents")}`, { headers: owner.bearer });
      expect(zip.status).toBe(200);
      const zipBytes = new Uint8Array(await zip.arrayBuffer());
      expect([...zipBytes.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
      expect(zipBytes.length).toBe(Number(zip.headers.get("content-length") ?? zipBytes.length));
      expect(((await (await fetch(`${n.url}/api/openapi.json`)).json()) as { openapi: string }).openapi).toBe("3.1.0");

      // An edge function: the binary is its own function host too (when this machine can sandbox one).
      const fnStatus = (await (await fetch(`${n.url}/api/functions`, { headers: owner.bearer })).json()) as { available: boolean; reason: string | null };
      if (fnStatus.available) {
        const deployed = await fetch(`${n.url}/api/functions`, {
          method: "POST",
          headers: { ...owner.bearer, "content-type": "application/json" },
          body: JSON.stringify({
            name: "hello",
            visibility: "public",
            files: [{ path: "main.ts", content: "export default { fetch: (r: Request) => new Response(`hi ${new URL(r.url).pathname}`) };" }],
          }),
        });
        expect(deployed.status).toBe(201);
        const called = await fetch(`${n.url}/fn/${owner.address}/hello/there`);
        expect(await called.text()).toBe("hi /there");
      } else console.warn(`functions not checked from the binary: ${fnStatus.reason}`);

      // The built-in AI engine: the binary unpacks its node-llama-cpp runtime into the data folder once.
      makeTinyGguf(join(data.path, "models", "pc2-tiny.gguf"));
      const chat = await fetch(`${n.url}/api/ai/chat`, {
        method: "POST",
        headers: { ...owner.bearer, "content-type": "application/json" },
        body: JSON.stringify({ model: "local/pc2-tiny", message: "Hi!", temperature: 0 }),
      });
      expect((await ndjsonLines(chat)).at(-1)).toMatchObject({ type: "done", message: { content: "abcdefghijklmnopqrstuvwxyz." } });
      expect(readdirSync(join(data.path, "runtime")).filter((d) => d.startsWith("node-llama-cpp-"))).toHaveLength(1);

      expect(await n.stop()).toBe(0);
      expect(existsSync(join(cwd.path, "data"))).toBe(false); // nothing written to the working directory
      const again = await spawnNode({ PC2_DATA_DIR: data.path }, { command: [binary], cwd: cwd.path });
      expect((await (await fetch(`${again.url}/api/info`)).json()).nodeId).toBe(info.nodeId);
      expect(await again.stop()).toBe(0);
      // The binary's CLI reads every pinned file back through its IPFS worker, leaves from the files.
      const check = Bun.spawn([binary, "storage", "check", "--deep", "--json"], { cwd: cwd.path, env: { ...process.env, PC2_DATA_DIR: data.path }, stdout: "pipe" });
      const report = JSON.parse(await new Response(check.stdout).text());
      expect(await check.exited).toBe(0);
      expect([report.unreadable, report.unplaced, report.missingBlobs]).toEqual([[], [], []]);
    } finally {
      cwd.remove();
      data.remove();
    }
  });

  test("the CLI works from the binary", async () => {
    const proc = Bun.spawn([binary, "version"], { stdout: "pipe" });
    expect((await new Response(proc.stdout).text()).trim()).toBe(VERSION);
    expect(await proc.exited).toBe(0);
  });
});
