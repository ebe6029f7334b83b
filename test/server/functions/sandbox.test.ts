// The sandbox holds where the JavaScript cannot: a function that reaches past the APIs it is given
// (Node's modules through import.meta.require, with names the bundler cannot see) still finds no
// file of the node, no shell, no file it can write and no network. And the per-request limits of
// a function's process — wall time, requests at once (and the line waiting for them), body size —
// each answer with their own code.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FunctionProcess, type FunctionLimits } from "../../../server/services/functions/function-process.ts";
import { bwrapPath } from "../../../server/services/functions/sandbox-command.ts";
import { AppError } from "../../../server/errors.ts";

const dirs: string[] = [];
const processes: FunctionProcess[] = [];
afterAll(() => {
  for (const p of processes) p.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const LIMITS: FunctionLimits = { wallMs: 800, memoryBytes: 256 * 2 ** 20, concurrency: 2, bodyBytes: 1000, stallMs: 2000, startMs: 10_000, sockets: 2, messageBytes: 1024 };

async function run(code: string, limits: FunctionLimits = LIMITS): Promise<FunctionProcess> {
  const dir = mkdtempSync(join(tmpdir(), "pc2-fn-test-"));
  dirs.push(dir);
  writeFileSync(join(dir, "bundle.js"), code);
  const p = new FunctionProcess({ bwrap: bwrapPath()!, deploymentDir: dir, env: {}, limits, egress: async () => new Response("no"), kv: () => ({}), onLog: () => undefined, onExit: () => undefined });
  processes.push(p);
  await p.ready;
  return p;
}
const call = (p: FunctionProcess, path = "/", init?: RequestInit) => p.handle(new Request(`http://node${path}`, init), path, { ip: "127.0.0.1", port: 1 });
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "answered",
    (e: unknown) => (e instanceof AppError ? e.code : String(e)),
  );

let secretDir: string;
let listener: { port: number; stop(closeActive?: boolean): void };
beforeAll(() => {
  secretDir = mkdtempSync(join(tmpdir(), "pc2-node-data-"));
  dirs.push(secretDir);
  writeFileSync(join(secretDir, "pc2.db"), "the node's database");
  listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
});
afterAll(() => listener.stop(true));

describe("inside the sandbox", () => {
  test("no file of the node, no shell, nothing writable, no network — even through Node's modules", async () => {
    const p = await run(`export default { async fetch() {
      const req = import.meta.require;
      const out = {};
      const fs = req("f" + "s");
      try { out.root = fs.readdirSync("/").sort(); } catch (e) { out.root = e.code; }
      try { out.db = fs.readFileSync(${JSON.stringify(join(secretDir, "pc2.db"))}, "utf8"); } catch (e) { out.db = e.code; }
      try { fs.writeFileSync("/fn/planted.js", "x"); out.fnWrite = "wrote"; } catch (e) { out.fnWrite = e.code; }
      try { fs.writeFileSync("/run/planted", "x".repeat(10)); out.runWrite = "wrote"; } catch (e) { out.runWrite = e.code ?? String(e); }
      try { req("child_" + "process").execSync("id"); out.exec = "ran"; } catch (e) { out.exec = e.code ?? "failed"; }
      out.net = await new Promise((resolve) => { const s = req("n" + "et").connect(${listener.port}, "127.0.0.1"); s.on("connect", () => resolve("connected")); s.on("error", (e) => resolve(e.code)); });
      return Response.json(out);
    } };`);
    const seen = (await (await call(p)).json()) as Record<string, unknown>;
    for (const entry of seen.root as string[]) expect(["bun", "dev", "fn", "host", "lib", "lib64", "proc", "run", "usr"]).toContain(entry);
    expect(seen.db).toBe("ENOENT");
    expect(seen.fnWrite).toBe("EROFS");
    expect(seen.runWrite).not.toBe("wrote");
    expect(seen.exec).not.toBe("ran");
    expect(seen.net).not.toBe("connected");
  });
});

describe("a request's limits", () => {
  test("over the wall time: 504 function_timeout; the process answers the next request", async () => {
    const p = await run(`export default { fetch: async (req) => { if (new URL(req.url).pathname === "/slow") await new Promise((r) => setTimeout(r, 5000)); return new Response("ok"); } };`);
    expect(await codeOf(call(p, "/slow"))).toBe("function_timeout");
    expect(await (await call(p, "/")).text()).toBe("ok");
  });

  test("more requests at once than allowed wait their turn in a bounded line: past it, 503 function_busy; a wait that outlasts the wall time, 504", async () => {
    const p = await run(`export default { fetch: async () => { await new Promise((r) => setTimeout(r, 300)); return new Response("done"); } };`);
    // 2 at once, 8 waiting (4 per slot): the 11th is turned away at once.
    const first = Array.from({ length: 10 }, () => codeOf(call(p)));
    expect(await codeOf(call(p))).toBe("function_busy");
    const outcomes = await Promise.all(first);
    // 2 at a time for 300 ms each against a wall time of 800 ms: the first ones answer, the last
    // ones' wait runs out (how many of each depends on the machine's pace; both must happen).
    expect(outcomes.filter((o) => o === "answered").length).toBeGreaterThanOrEqual(2);
    expect(outcomes.filter((o) => o === "function_timeout").length).toBeGreaterThanOrEqual(4);
    expect(outcomes.every((o) => o === "answered" || o === "function_timeout")).toBe(true);
    expect(await (await call(p)).text()).toBe("done");
  });

  test("a body over the limit: 413, announced or streamed", async () => {
    const p = await run(`export default { fetch: async (req) => new Response(String((await req.arrayBuffer()).byteLength)) };`);
    expect(await (await call(p, "/", { method: "POST", body: "x".repeat(1000) })).text()).toBe("1000");
    expect(await codeOf(call(p, "/", { method: "POST", body: "x".repeat(1001) }))).toBe("function_body_too_large");
    const streamed = new ReadableStream({
      start(c) {
        c.enqueue(new Uint8Array(600));
        c.enqueue(new Uint8Array(600));
        c.close();
      },
    });
    expect(await codeOf(call(p, "/", { method: "POST", body: streamed, duplex: "half" } as RequestInit))).toBe("function_body_too_large");
  });
});
