// Per-function limits through a real node (the rules themselves are in function-limits.test.ts): a
// deployer sets limits below the node's, the API shows each and whether it is the function's own,
// the next request runs under them, out-of-range values are refused, null goes back to the node's.
// And the race those tests found: requests that arrive while a function's process starts wait for it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { deployFunction, functionPath } from "../../helpers/functions-api.ts";
import { jsonRequest } from "../../helpers/send-json.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { claimOwner, httpFetcher, type Fetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

let t: TestNode;
let f: Fetcher;
let owner: SignedIn;

const deploy = (who: SignedIn, name: string, main: string, extra: Record<string, unknown> = {}) => deployFunction(f, who, name, main, extra);
const fn = functionPath;

beforeAll(async () => {
  t = await startTestNode();
  f = httpFetcher(t.url);
  owner = await claimOwner(f, t.started.setup.code!);
});
afterAll(() => t.stop());

describe("a process starting", () => {
  test("requests that arrive while a function's process starts all wait for it to serve", async () => {
    await deploy(owner, "crowd", `export default { fetch: () => new Response("here") };`, { visibility: "public" });
    for (let round = 0; round < 2; round++) {
      // A settings change retires the process: the next requests start a fresh one, all at once.
      await f("/api/functions/crowd", jsonRequest(owner, "PATCH", { allowedHosts: [`round${round}.example`] }));
      const answers = await Promise.all(Array.from({ length: 8 }, () => f(fn(owner, "crowd")).then((r) => r.text())));
      expect(answers).toEqual(Array(8).fill("here"));
    }
  });
});

describe("limits per function", () => {
  test("a deployer sets lower limits: the API shows them, the next request runs under them, null goes back to the node's", async () => {
    const d = await deploy(
      owner,
      "tight",
      `export default { async fetch(req: Request) { const u = new URL(req.url); if (u.pathname === "/sleep") await new Promise((r) => setTimeout(r, Number(u.searchParams.get("ms")))); if (req.method === "POST") return new Response(String((await req.arrayBuffer()).byteLength)); return new Response("ok"); } };`,
      { visibility: "public" },
    );
    expect(d.body.function.limits).toEqual({
      wallMs: { value: 30_000, custom: false },
      memoryMb: { value: 128, custom: false },
      concurrency: { value: 16, custom: false },
      bodyBytes: { value: 16 * 1024 * 1024, custom: false },
    });
    const patch = (limits: unknown) => f("/api/functions/tight", jsonRequest(owner, "PATCH", { limits }));
    const refused = await patch({ wallMs: 50 });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: "invalid_limit", message: "wallMs must be a whole number from 100 to 30000 (the node's limit)" });
    // A name that is no limit is ignored, as unknown fields are everywhere in the API.
    expect((await (await patch({ memory: 64 })).json()).function.limits.memoryMb).toEqual({ value: 128, custom: false });
    const set = await patch({ wallMs: 400, bodyBytes: 1000 });
    expect(set.status).toBe(200);
    expect((await set.json()).function.limits).toMatchObject({ wallMs: { value: 400, custom: true }, bodyBytes: { value: 1000, custom: true } });
    const slow = await f(fn(owner, "tight", "/sleep?ms=1000"));
    expect(slow.status).toBe(504);
    expect((await slow.json()).message).toBe("The function took longer than its limit of 400 ms");
    const big = await f(fn(owner, "tight", "/"), { method: "POST", body: new Uint8Array(1001) });
    expect(big.status).toBe(413);
    expect(await (await f(fn(owner, "tight", "/"), { method: "POST", body: new Uint8Array(1000) })).text()).toBe("1000");
    // One request at once, four waiting: the sixth at once is turned away. (The change started a
    // fresh process: the six arrive while it starts, and wait for it to serve.)
    await patch({ wallMs: null, bodyBytes: null, concurrency: 1 });
    const answers = await Promise.all(Array.from({ length: 6 }, () => f(fn(owner, "tight", "/sleep?ms=300")).then(async (r) => [r.status, (await r.json().catch(() => null))?.code ?? null])));
    expect(answers.filter(([s]) => s === 200).length).toBe(5);
    expect(answers.filter(([s, code]) => s === 503 && code === "function_busy").length).toBe(1);
    expect((await (await f("/api/functions/tight", { headers: owner.bearer })).json()).function.limits).toMatchObject({
      wallMs: { value: 30_000, custom: false },
      concurrency: { value: 1, custom: true },
    });
  }, 30_000);
});
