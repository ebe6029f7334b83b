import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { prepareModule } from "../../server/services/wasm/module-check.ts";
import { builtModule, fixtureBase64, wasmClient } from "../helpers/wasm-client.ts";
import { startTestNode, type TestNode } from "../helpers/test-node.ts";
import { httpFetcher, ownerAdminMember, type SignedIn } from "../helpers/wallet-auth.ts";

let t: TestNode;
let owner: SignedIn;
let admin: SignedIn;
let member: SignedIn;
const fixture = fixtureBase64;
const execute = (who: SignedIn, body: unknown) => wasmClient(t.url).execute(who, body);

beforeAll(async () => {
  t = await startTestNode();
  ({ owner, admin, member } = await ownerAdminMember(httpFetcher(t.url), t.started.setup.code!));
});
afterAll(() => t.stop());

describe("POST /api/wasm/execute", () => {
  test("sample apps built from source: calc, wordcount and sha256 over stdin", async () => {
    const { apps } = await (await fetch(`${t.url}/api/wasm/apps`, { headers: admin.bearer })).json();
    expect(apps.map((a: { name: string; builtin: boolean }) => [a.name, a.builtin])).toEqual([
      ["calc", true],
      ["csv2json", true],
      ["sha256", true],
      ["wordcount", true],
    ]);
    expect(apps[0].args).toEqual([{ name: "expression", label: "Expression", type: "string", required: true, default: "(1+2)*3" }]);
    const calc = await execute(admin, { app: "calc", args: ["(1+2)*7", "-", "1.5"] });
    expect(calc.status).toBe(200);
    expect(calc.body.result).toMatchObject({ exitCode: 0, stdout: "19.5\n", stderr: "", killed: null });
    expect((await execute(admin, { app: "calc", args: ["1/0"] })).body.result).toMatchObject({ exitCode: 2, stderr: "calc: division by zero\n" });
    expect((await execute(admin, { app: "wordcount", stdin: "hello world\nfoo bar baz\n" })).body.result.stdout).toBe("2 5 24\n");
    for (const text of ["", "abc", "x".repeat(55), "y".repeat(56), "z".repeat(64), "héllo ".repeat(1000)]) {
      const expected = new Bun.CryptoHasher("sha256").update(text).digest("hex");
      expect((await execute(admin, { app: "sha256", stdin: text })).body.result.stdout).toBe(`${expected}  -\n`);
    }
  });

  test("args, stdin, env and exit codes of an uploaded module", async () => {
    const r = await execute(owner, { module: await fixture("echo"), args: ["a", "b c"], env: { GREETING: "hi", EXIT: "5" }, stdin: "from stdin\n" });
    expect(r.body.result).toMatchObject({ exitCode: 5, stdout: "a,b c\nhi\nfrom stdin\n", stderr: "to stderr\n" });
    expect(r.body.result.durationMs).toBeGreaterThan(0);
  });

  test("an infinite loop is stopped at its limit while 50 concurrent /stat requests keep answering", async () => {
    let spinEnded = false;
    const spin = execute(admin, { module: await fixture("spin"), timeoutMs: 3000 }).finally(() => (spinEnded = true));
    await Bun.sleep(200);
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const res = await fetch(`${t.url}/stat`, { method: "POST", headers: { ...admin.bearer, "content-type": "application/json" }, body: JSON.stringify({ path: "~" }) });
        expect(res.status).toBe(200);
      }),
    );
    // A node blocked by the spinning module would answer only after its 3 s limit: every answer came
    // while it still spun. (How fast they come is scripts/bench/'s business, not a test's.)
    expect(spinEnded).toBe(false);
    const { body } = await spin;
    expect(body.result).toMatchObject({ killed: "timeout", exitCode: null, stdout: "spinning\n" });
    expect(body.result.durationMs).toBeGreaterThanOrEqual(3000);
    expect(body.result.durationMs).toBeLessThan(6000);
  });

  test("a memory bomb is stopped at its cap", async () => {
    const r = await execute(admin, { module: await fixture("bomb"), memoryMb: 16 });
    expect(r.body.result.exitCode).toBe(3);
    expect(Number(r.body.result.stdout)).toBeLessThanOrEqual(256); // 16 MiB = 256 pages of 64 KiB
  });

  test("20 concurrent runs are all correct", async () => {
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => execute(admin, { app: "calc", args: [`${i}*${i}+1`] })));
    runs.forEach((r, i) => expect(r.body.result.stdout).toBe(`${i * i + 1}\n`));
  });

  test("garbage, truncated and wrongly importing modules get 400 with a clear code", async () => {
    const bad = (bytes: number[] | Uint8Array) => execute(admin, { module: Buffer.from(bytes as Uint8Array).toString("base64") });
    expect((await bad([1, 2, 3, 4, 5, 6, 7, 8])).body.code).toBe("invalid_wasm_module");
    const calc = builtModule("wasm-apps", "calc");
    expect((await bad(calc.subarray(0, calc.length - 20))).status).toBe(400);
    // A module importing env.f (not WASI).
    const foreign = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 2, 9, 1, 3, 0x65, 0x6e, 0x76, 1, 0x66, 0, 0];
    const r = await bad(foreign);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("forbidden_import");
    expect((await execute(admin, { app: "../etc/passwd" })).body.code).toBe("wasm_app_not_found");
    expect((await execute(admin, {})).status).toBe(400);
    expect((await execute(admin, { app: "calc", args: "1+1" })).status).toBe(400);
    expect((await execute(admin, { app: "calc", env: { "BAD NAME": "x" } })).status).toBe(400);
    expect((await execute(admin, { app: "calc", timeoutMs: 10 ** 9 })).status).toBe(400);
  });

  test("a module with no imports is still a program and runs; a module without _start is refused as wasm_not_a_command", async () => {
    const run = (bytes: number[]) => execute(admin, { module: Buffer.from(bytes).toString("base64") });
    const header = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0];
    const exportAs = (name: string) => [7, name.length + 4, 1, name.length, ...Buffer.from(name), 0, 0];
    const ok = await run([...header, ...exportAs("_start"), 10, 4, 1, 2, 0, 0x0b]);
    expect([ok.status, ok.body.result.exitCode, ok.body.result.error ?? null]).toEqual([200, 0, null]);
    const trap = await run([...header, ...exportAs("_start"), 10, 5, 1, 3, 0, 0, 0x0b]); // unreachable
    expect(trap.status).toBe(200);
    expect(trap.body.result.exitCode).toBeNull();
    expect(trap.body.result.error).toMatch(/unreachable/i);
    const library = await run([...header, ...exportAs("add"), 10, 4, 1, 2, 0, 0x0b]);
    expect([library.status, library.body.code]).toEqual([400, "wasm_not_a_command"]);
  });

  test("wasm.run over /ws streams output as it is written, and rpc.cancel kills the run", async () => {
    const { Pc2WsClient } = await import("../../web/api/ws-client.ts");
    const ws = await Pc2WsClient.connect(t.wsUrl, { headers: admin.bearer });
    const seen: { stream: string; text: string }[] = [];
    ws.on("wasm.output", (p) => void seen.push(p as { stream: string; text: string }));
    const done = await ws.call<{ exitCode: number; stdout: string }>("wasm.run", { module: await fixture("echo"), args: ["x"], stdin: "y\n" });
    expect(done).toMatchObject({ exitCode: 0 });
    expect(seen.map((s) => s.stream)).toContain("stderr");
    expect(
      seen
        .filter((s) => s.stream === "stdout")
        .map((s) => s.text)
        .join(""),
    ).toBe(done.stdout);

    const ctrl = new AbortController();
    const firstLine = ws.next("wasm.output");
    const started = performance.now();
    const spinning = ws.call<{ killed: string }>("wasm.run", { module: await fixture("spin"), timeoutMs: 30_000 }, { signal: ctrl.signal });
    expect(await firstLine).toEqual({ stream: "stdout", text: "spinning\n", callId: expect.any(Number) }); // streamed while still running, naming its call
    ctrl.abort();
    expect((await spinning).killed).toBe("cancelled");
    expect(performance.now() - started).toBeLessThan(5000);
    ws.close();
  });

  test("members are refused", async () => {
    const r = await execute(member, { app: "calc", args: ["1+1"] });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe("insufficient_role");
  });
});

describe("module memory cap", () => {
  test("every memory's maximum is rewritten to the cap, and a module needing more at start is refused", async () => {
    // A command (an empty _start) with (memory 1) and no maximum.
    const withMemory = (memory: number[]) =>
      Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, ...memory, 7, 10, 1, 6, ...Buffer.from("_start"), 0, 0, 10, 4, 1, 2, 0, 0x0b]);
    const capped = prepareModule(withMemory([5, 3, 1, 0, 1]), 2, 1 << 20);
    expect([...capped.subarray(18, 24)]).toEqual([5, 4, 1, 1, 1, 32]); // flags 1, min 1, max 32 pages (2 MiB)
    const big = withMemory([5, 4, 1, 0, 0x80, 0x02]); // min 256 pages
    expect(() => prepareModule(big, 2, 1 << 20)).toThrow(/limit is 2 MiB/);
  });
});
