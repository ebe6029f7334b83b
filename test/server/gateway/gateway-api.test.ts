// The gateway API against a real SQLite registry: who may hold a name (one per node, never another
// node's), replays, and each client's claim budget (N allowed, N+1 refused, another client unhurt).
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KeyPair } from "../../../server/boson/keys.ts";
import { closeDatabase, openDatabase } from "../../../server/db/database.ts";
import { migrate } from "../../../server/db/migrate.ts";
import { GatewayApi } from "../../../server/gateway/gateway-api.ts";
import { signClaim } from "../../../server/gateway/name-claims.ts";
import { NameRegistry } from "../../../server/gateway/name-registry.ts";

const dir = mkdtempSync(join(tmpdir(), "pc2-gateway-"));
const db = openDatabase(join(dir, "pc2.db"));
migrate(db);
afterAll(() => {
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

const alice = KeyPair.random();
const bob = KeyPair.random();
let relayed: Set<string>;
let api: GatewayApi;
let registry: NameRegistry;

beforeEach(() => {
  db.run("DELETE FROM gateway_names");
  relayed = new Set([alice.id.toString(), bob.id.toString()]);
  registry = new NameRegistry(db);
  api = new GatewayApi({ registry, domain: "pc2.test", publicPort: () => 80, relayPortOf: (id) => (relayed.has(id) ? 25001 : null), claimsPerMinute: 5 });
});

async function call(method: string, path: string, body?: unknown, ip = "198.51.100.7") {
  const init: RequestInit = { method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) };
  const res = await api.handle(new Request(`http://pc2.test${path}`, init), ip);
  return { status: res.status, body: await res.json() };
}

describe("holding names", () => {
  test("a node holds one name; taking another releases the first; another node cannot take it", async () => {
    expect(await call("POST", "/api/register", signClaim(alice, "register", "alice"))).toMatchObject({
      status: 200,
      body: { success: true, username: "alice", url: "http://alice.pc2.test", replaced: null },
    });
    expect(await call("POST", "/api/register", signClaim(bob, "register", "alice"))).toMatchObject({ status: 409, body: { code: "name_taken" } });
    expect(await call("POST", "/api/register", signClaim(alice, "register", "alice-home"))).toMatchObject({ status: 200, body: { replaced: "alice" } });
    expect(registry.byName("alice")).toBeNull();
    expect(registry.byNode(alice.id.toString())?.username).toBe("alice-home");
    expect(await call("POST", "/api/register", signClaim(bob, "register", "alice"))).toMatchObject({ status: 200 });
  });

  test("registering the same name again refreshes it; a replayed claim is refused", async () => {
    const claim = signClaim(alice, "register", "alice");
    expect((await call("POST", "/api/register", claim)).status).toBe(200);
    expect(await call("POST", "/api/register", claim)).toMatchObject({ status: 401, body: { code: "claim_replayed" } });
    expect(await call("POST", "/api/register", signClaim(alice, "register", "alice"))).toMatchObject({ status: 200, body: { replaced: null } });
  });

  test("the name travels as signed: uppercase in the claim is refused rather than changed", async () => {
    expect(await call("POST", "/api/register", signClaim(alice, "register", "Alice"))).toMatchObject({ status: 400, body: { code: "invalid_claim" } });
  });

  test("an offline node's name answers lookups with online false and no endpoint", async () => {
    await call("POST", "/api/register", signClaim(alice, "register", "alice"));
    relayed.delete(alice.id.toString());
    expect(await call("GET", "/api/lookup/alice")).toMatchObject({ status: 200, body: { online: false, endpoint: null, nodeId: alice.id.toString() } });
    expect(await call("POST", "/api/register", signClaim(alice, "register", "alice"))).toMatchObject({ status: 409, body: { code: "not_relayed" } });
  });

  test("bodies: not JSON, not an object, missing fields, too large", async () => {
    const raw = (body: string, type = "application/json") => api.handle(new Request("http://pc2.test/api/register", { method: "POST", headers: { "content-type": type }, body }), "203.0.113.1");
    expect((await (await raw("{")).json()).code).toBe("invalid_json");
    expect((await (await raw("[1]")).json()).code).toBe("invalid_claim");
    expect((await (await raw(JSON.stringify({ ...signClaim(alice, "register", "alice"), timestamp: "1" }))).json()).code).toBe("invalid_claim");
    expect((await raw(JSON.stringify({ pad: "x".repeat(4097) }))).status).toBe(413);
  });
});

describe("budgets", () => {
  test("5 claims a minute per client pass, the 6th is refused with Retry-After; another client is unaffected", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call("POST", "/api/register", signClaim(KeyPair.random(), "register", `name${i}`), "192.0.2.1")).status);
    expect(statuses).toEqual([409, 409, 409, 409, 409, 429]);
    const res = await api.handle(new Request("http://pc2.test/api/release", { method: "POST" }), "192.0.2.1");
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await call("POST", "/api/register", signClaim(alice, "register", "alice"), "192.0.2.2")).status).toBe(200);
  });

  test("an IPv6 client is one /64", async () => {
    for (let i = 0; i < 5; i++) await call("POST", "/api/release", signClaim(alice, "release", "nobody"), `2001:db8:1:2::${i + 1}`);
    expect((await call("POST", "/api/release", signClaim(alice, "release", "nobody"), "2001:db8:1:2:ffff::9")).status).toBe(429);
    expect((await call("POST", "/api/release", signClaim(alice, "release", "nobody"), "2001:db8:1:3::1")).status).toBe(403);
  });
});
