// Deno.openKv() under PC2 and under Deno itself (`deno serve --unstable-kv`, the real binary): the
// same function runs the same operations — keys of every type in Deno's order, values of several
// kinds, list by prefix and range, reverse, limits and cursors, atomic checks that pass and fail,
// sum/min/max on Deno.KvU64, deletes, getMany — and both report the same results.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { denoServe } from "../../helpers/deno-serve.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { claimOwner, httpFetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

export const KV_SCENARIO = `
const kv = await Deno.openKv();
const show = (key: Deno.KvKey) => key.map((p) => (typeof p === "bigint" ? p + "n" : p instanceof Uint8Array ? "bytes:" + [...p].join(",") : p));
const plain = (v: unknown): unknown => (v instanceof Set ? { set: [...v] } : v instanceof Map ? { map: [...v] } : v instanceof Date ? { date: v.getTime() } : v instanceof Deno.KvU64 ? { u64: String(v.value) } : v);
export default {
  async fetch(): Promise<Response> {
    const out: Record<string, unknown> = {};
    for await (const e of kv.list({ prefix: [] })) await kv.delete(e.key);
    const parts: Deno.KvKeyPart[] = ["b", "a", "", "a\\u0000z", 2, -1.5, 0, 1e300, -Infinity, 10n, -10n, 0n, 123456789012345678901234567890n, true, false, new Uint8Array([2]), new Uint8Array([1, 0]), new Uint8Array([])];
    for (const p of parts) await kv.set(["k", p], "v");
    out.order = (await Array.fromAsync(kv.list({ prefix: ["k"] }))).map((e) => show(e.key));
    out.reversed = (await Array.fromAsync(kv.list({ prefix: ["k"] }, { reverse: true, limit: 4 }))).map((e) => show(e.key));
    out.range = (await Array.fromAsync(kv.list({ start: ["k", ""], end: ["k", 0] }))).map((e) => show(e.key));
    out.from = (await Array.fromAsync(kv.list({ prefix: ["k"], start: ["k", 2] }))).map((e) => show(e.key));
    const pages: unknown[] = [];
    let cursor = "";
    for (let i = 0; i < 10; i++) {
      const it = kv.list({ prefix: ["k"] }, { limit: 5, cursor });
      const page = (await Array.fromAsync(it)).map((e) => show(e.key));
      if (!page.length) break;
      pages.push(page);
      cursor = it.cursor;
    }
    out.pages = pages;
    const values: [string, unknown][] = [["obj", { a: 1, nested: [1, "two", null] }], ["set", new Set([1, 2])], ["map", new Map([["x", 1]])], ["date", new Date(5)], ["big", 12345678901234567890n], ["bytes", new Uint8Array([9, 8])], ["null", null], ["u64", new Deno.KvU64(7n)]];
    for (const [k, v] of values) await kv.set(["v", k], v);
    out.values = await Promise.all(values.map(async ([k]) => { const got = (await kv.get(["v", k])).value; return got instanceof Uint8Array ? { bytes: [...got] } : typeof got === "bigint" ? { bigint: String(got) } : plain(got); }));
    out.missing = await kv.get(["nope"]);
    out.many = (await kv.getMany([["v", "obj"], ["nope"], ["v", "null"]])).map((e) => ({ key: show(e.key), value: plain(e.value), stamped: e.versionstamp !== null }));
    const first = await kv.get(["v", "obj"]);
    out.staleCheck = (await kv.atomic().check({ key: ["v", "obj"], versionstamp: null }).set(["v", "obj"], "no").commit()).ok;
    out.goodCheck = (await kv.atomic().check({ key: ["v", "obj"], versionstamp: first.versionstamp }).set(["v", "obj"], "yes").commit()).ok;
    out.afterChecks = (await kv.get(["v", "obj"])).value;
    out.absentCheck = (await kv.atomic().check({ key: ["fresh"], versionstamp: null }).set(["fresh"], 1).commit()).ok;
    await kv.atomic().sum(["v", "u64"], 10n).commit();
    await kv.atomic().sum(["counter"], 3n).commit();
    await kv.atomic().min(["v", "u64"], 5n).commit();
    await kv.atomic().max(["high"], 42n).commit();
    out.numbers = [plain((await kv.get(["v", "u64"])).value), plain((await kv.get(["counter"])).value), plain((await kv.get(["high"])).value)];
    await kv.delete(["v", "set"]);
    out.deleted = (await kv.get(["v", "set"])).versionstamp;
    const a = await kv.set(["stamp"], 1);
    const b = await kv.set(["stamp"], 2);
    out.stamps = [typeof a.versionstamp, a.versionstamp.length, b.versionstamp > a.versionstamp];
    try {
      await kv.set(["bad", null as unknown as string], 1);
      out.badKey = "accepted";
    } catch (e) {
      out.badKey = e instanceof TypeError ? "TypeError" : "other";
    }
    return Response.json(out);
  },
};
`;

let t: TestNode;
let owner: SignedIn;
let dir: string;

beforeAll(async () => {
  t = await startTestNode();
  owner = await claimOwner(httpFetcher(t.url), t.started.setup.code!);
  dir = mkdtempSync(join(tmpdir(), "pc2-deno-kv-"));
});
afterAll(async () => {
  await t.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function underDeno(): Promise<unknown> {
  const deno = await denoServe(dir, KV_SCENARIO, { flags: ["--unstable-kv"] });
  try {
    return await (await fetch(deno.url)).json();
  } finally {
    deno.stop();
  }
}

test("the same Deno KV program gives the same results under Deno and under PC2", async () => {
  const deployed = await fetch(`${t.url}/api/functions`, {
    method: "POST",
    headers: { ...owner.bearer, "content-type": "application/json" },
    body: JSON.stringify({ name: "kv", files: [{ path: "main.ts", content: KV_SCENARIO }] }),
  });
  expect(deployed.status).toBe(201);
  expect((await deployed.json()).function.startError).toBeNull();
  const res = await fetch(`${t.url}/fn/${owner.address}/kv/`, { headers: owner.bearer });
  expect(res.status).toBe(200);
  const pc2 = await res.json();
  const deno = await underDeno();
  expect(pc2).toEqual(deno);
  // And a second run over the data the first left behind: the same again.
  expect(await (await fetch(`${t.url}/fn/${owner.address}/kv/`, { headers: owner.bearer })).json()).toEqual(deno);
});
