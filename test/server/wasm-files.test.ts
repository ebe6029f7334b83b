// WASM apps with the caller's files: /input mounted read-only, /output saved back into storage.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { filesClient } from "../helpers/files-client.ts";
import { fixtureBase64, wasmClient } from "../helpers/wasm-client.ts";
import { startTestNode, type TestNode } from "../helpers/test-node.ts";
import { httpFetcher, ownerAdminMember, type SignedIn } from "../helpers/wallet-auth.ts";

let t: TestNode;
let owner: SignedIn;
let admin: SignedIn;
const fixture = fixtureBase64;
const execute = (who: SignedIn, body: unknown) => wasmClient(t.url).execute(who, body);

beforeAll(async () => {
  t = await startTestNode();
  const f = httpFetcher(t.url);
  ({ owner, admin } = await ownerAdminMember(f, t.started.setup.code!));
  const files = filesClient(f, admin);
  await files.post("/mkdir", { path: "~/Documents/data" });
  expect((await files.write("~/Documents/data", "a.txt", "one two\nthree\n")).status).toBe(200);
  expect((await files.write("~/Documents/data", "b.txt", "four\n")).status).toBe(200);
  expect((await files.write("~/Documents/data", "people.csv", 'name,age,note\nAda,36,"likes ""math"", tea"\nLinus,54,"multi\nline"\n')).status).toBe(200);
  expect((await files.write("~/Documents/data", "broken.csv", 'name,age\nAda,36\n"unclosed,1\n')).status).toBe(200);
  expect((await filesClient(f, owner).write("~/Documents", "secret.txt", "owner only")).status).toBe(200);
});
afterAll(() => t.stop());

describe("WASM apps and files", () => {
  test("wordcount and sha256 over input files mounted at /input", async () => {
    const wc = await execute(admin, { app: "wordcount", files: ["~/Documents/data/a.txt", "~/Documents/data/b.txt"] });
    expect(wc.body.result).toMatchObject({ exitCode: 0, stdout: "2 3 14 a.txt\n1 1 5 b.txt\n3 4 19 total\n", outputs: [] });
    const sha = await execute(admin, { app: "sha256", files: ["~/Documents/data/a.txt"] });
    expect(sha.body.result.stdout).toBe(`${new Bun.CryptoHasher("sha256").update("one two\nthree\n").digest("hex")}  a.txt\n`);
  });

  test("csv2json writes its output into the caller's storage, indexed and pinned", async () => {
    const files = filesClient(httpFetcher(t.url), admin);
    const r = await execute(admin, { app: "csv2json", files: ["~/Documents/data/people.csv"], output: "~/Documents/converted" });
    expect(r.body.result).toMatchObject({ exitCode: 0, stdout: "people.csv -> people.json: 2 rows\n", error: null });
    const [out] = r.body.result.outputs;
    expect(out).toMatchObject({ name: "people.json", path: `/${admin.address}/Documents/converted/people.json` });
    const read = await files.read("~/Documents/converted/people.json");
    expect(JSON.parse(new TextDecoder().decode(read.bytes))).toEqual([
      { name: "Ada", age: 36, note: 'likes "math", tea' },
      { name: "Linus", age: 54, note: "multi\nline" },
    ]);
    const stat = await files.post("/stat", { path: "~/Documents/converted/people.json" });
    expect(stat.body.cid).toBe(out.cid);
    expect(out.cid).toMatch(/^bafk/);
    // Run again into the same folder: nothing is overwritten.
    const again = await execute(admin, { app: "csv2json", files: ["~/Documents/data/people.csv"], output: "~/Documents/converted" });
    expect(again.body.result.outputs[0].name).toBe("people (1).json");
  });

  test("without an output folder, results go to a new folder under Documents/WASM output", async () => {
    const r = await execute(admin, { app: "csv2json", files: ["~/Documents/data/people.csv"] });
    expect(r.body.result.outputs[0].path).toMatch(new RegExp(`^/${admin.address}/Documents/WASM output/csv2json \\d{4}-\\d\\d-\\d\\d \\d\\d\\.\\d\\d\\.\\d\\d/people\\.json$`));
  });

  test("a malformed CSV fails with a clear message and saves nothing", async () => {
    const files = filesClient(httpFetcher(t.url), admin);
    const r = await execute(admin, { app: "csv2json", files: ["~/Documents/data/broken.csv"], output: "~/Documents/never" });
    expect(r.body.result).toMatchObject({ exitCode: 1, stderr: "csv2json: broken.csv: a quoted field is not closed (from line 3)\n", outputs: [] });
    expect((await files.post("/stat", { path: "~/Documents/never" })).status).toBe(404);
  });

  test("/input is read-only, even through the / preopen, and /output works", async () => {
    const r = await execute(admin, { module: await fixture("tamper"), files: ["~/Documents/data/a.txt"], output: "~/Documents/tamper" });
    expect(r.body.result.exitCode).toBe(0);
    expect(r.body.result.stdout).toBe("69 69 69 69 69 69 69 69\n"); // ROFS for every attempt
    const files = filesClient(httpFetcher(t.url), admin);
    expect(new TextDecoder().decode((await files.read("~/Documents/tamper/copy.txt")).bytes)).toBe("one two\nthree\n");
    expect(new TextDecoder().decode((await files.read("~/Documents/data/a.txt")).bytes)).toBe("one two\nthree\n");
  });

  test("inputs are the caller's own files only; bad inputs are refused before anything runs", async () => {
    expect((await execute(admin, { app: "wordcount", files: [`/${owner.address}/Documents/secret.txt`] })).body.code).toBe("access_denied");
    expect((await execute(admin, { app: "wordcount", files: ["~/Documents/secret.txt"] })).status).toBe(404);
    expect((await execute(admin, { app: "wordcount", files: ["~/Documents/data"] })).body.code).toBe("is_a_directory");
    expect((await execute(admin, { app: "wordcount", files: ["~/Documents/data/a.txt", "~/Documents/data/a.txt"] })).status).toBe(400);
    expect((await execute(admin, { app: "wordcount", files: "~/Documents/data/a.txt" })).status).toBe(400);
    expect((await execute(admin, { app: "wordcount", files: ["../../etc/passwd"] })).status).toBe(400);
    expect((await execute(admin, { app: "csv2json", files: ["~/Documents/data/people.csv"], output: "~/Documents/data/a.txt" })).body.code).toBe("dest_is_not_a_directory");
  });
});

describe("a guest filling its in-memory file system", () => {
  test("file caps hold on every write, inside the sandbox: /output, the root, many files, a grown file", async () => {
    const flood = await fixture("flood");
    const cases: [string, RegExp][] = [
      ["output", /more than 268435456 bytes of files/],
      ["root", /more than 268435456 bytes of files/],
      ["files", /more than 256 files and folders/],
      ["grow", /more than 268435456 bytes of files/],
    ];
    for (const [mode, message] of cases) {
      const r = await execute(admin, { module: flood, args: [mode], output: `~/Documents/flood-${mode}`, timeoutMs: 60_000 });
      expect([mode, r.status, r.body.result.exitCode, r.body.result.outputs]).toEqual([mode, 200, null, []]);
      expect(r.body.result.error).toMatch(message);
      // It was stopped, not left to report an errno at its leisure.
      expect(r.body.result.stdout).toBe("");
    }
    // Nothing was saved, and the node keeps running apps.
    expect((await filesClient(httpFetcher(t.url), admin).post("/stat", { path: "~/Documents/flood-output/big.bin" })).status).toBe(404);
    expect((await execute(admin, { app: "calc", args: ["2+2"] })).body.result.stdout).toBe("4\n");
  }, 120_000);
});
