// The network through PC2's API: off by default; turned on by an Admin or the Owner (not a Member);
// two PC2 nodes on loopback find each other by Node ID; status, look-up, WS event, and bad input.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { KeyPair } from "../../server/boson/keys.ts";
import { Pc2WsClient } from "../../web/api/ws-client.ts";
import { startTestNode, type TestNode } from "../helpers/test-node.ts";
import { addUser, claimOwner, httpFetcher, json, type SignedIn } from "../helpers/wallet-auth.ts";

const DEV = { PC2_NETWORK_DEVELOPMENT_MODE: "true" };
let a: TestNode;
let b: TestNode;
let ownerA: SignedIn;
let ownerB: SignedIn;
let memberA: SignedIn;

const get = (t: TestNode, who: SignedIn, path: string) => fetch(`${t.url}${path}`, { headers: who.bearer }).then(async (r) => ({ status: r.status, body: await r.json() }));
const enable = (t: TestNode, who: SignedIn, enabled: boolean) =>
  fetch(`${t.url}/api/network/settings`, { ...json({ enabled }, who.bearer), method: "PUT" }).then(async (r) => ({ status: r.status, body: await r.json() }));

beforeAll(async () => {
  a = await startTestNode({ env: DEV });
  ownerA = await claimOwner(httpFetcher(a.url), a.started.setup.code!);
  memberA = await addUser(httpFetcher(a.url), ownerA, "member");
});
afterAll(async () => {
  await b?.stop();
  rmSync(a.dataDir, { recursive: true, force: true });
});

describe("the network API", () => {
  test("off by default: nothing bound, nothing published, look-ups say so", async () => {
    const status = await get(a, ownerA, "/api/network/status");
    expect(status.body).toMatchObject({ enabled: false, state: "off", udpPort: null, bootstrap: [] });
    expect(status.body.summary).toContain("off");
    expect(status.body.nodeId).toBe(a.started.identity.nodeId);
    const lookup = await get(a, memberA, `/api/network/lookup/${a.started.identity.nodeId}`);
    expect([lookup.status, lookup.body.code]).toEqual([409, "network_off"]);
  });

  test("a Member may not turn it on; bad bodies and IDs are refused", async () => {
    expect((await enable(a, memberA, true)).status).toBe(403);
    const bad = await fetch(`${a.url}/api/network/settings`, { ...json({ enabled: "yes" }, ownerA.bearer), method: "PUT" });
    expect(bad.status).toBe(400);
    const lookup = await get(a, memberA, "/api/network/lookup/not-an-id");
    expect([lookup.status, lookup.body.code]).toEqual([400, "invalid_node_id"]);
  });

  test("two nodes turned on find each other by Node ID, and the status says so", async () => {
    const on = await enable(a, ownerA, true);
    expect(on.status).toBe(200);
    expect(on.body.enabled).toBe(true);
    const port = on.body.udpPort as number;
    expect(port).toBeGreaterThan(0);

    b = await startTestNode({ env: { ...DEV, PC2_NETWORK_BOOTSTRAP: `${a.started.identity.nodeId}@127.0.0.1:${port}` } });
    ownerB = await claimOwner(httpFetcher(b.url), b.started.setup.code!);
    const ws = await Pc2WsClient.connect(b.wsUrl, { headers: ownerB.bearer });
    const events: { state: string }[] = [];
    ws.on("network.status", (s) => void events.push(s as { state: string }));
    await ws.subscribe(["network"]);
    expect((await enable(b, ownerB, true)).status).toBe(200);
    // B bootstraps from A and announces itself; A learns B.
    for (let i = 0; i < 100 && !events.some((e) => e.state === "online"); i++) await Bun.sleep(50);
    expect(events.map((e) => e.state)).toContain("online");
    ws.close();

    let found = await get(a, memberA, `/api/network/lookup/did:boson:${b.started.identity.nodeId}`);
    for (let i = 0; i < 100 && !found.body.endpoints?.length; i++) {
      await Bun.sleep(50);
      found = await get(a, memberA, `/api/network/lookup/did:boson:${b.started.identity.nodeId}`);
    }
    expect(found.body).toMatchObject({ nodeId: b.started.identity.nodeId, found: true, address: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect(found.body.endpoints[0]).toMatchObject({ port: b.started.port, url: null, via: b.started.identity.nodeId });
    // B answered node_info over the pair's box, signed by its key.
    expect(found.body.info).toMatchObject({ version: "PC2 0.1.0", endpoint: null });
    const status = await get(b, ownerB, "/api/network/status");
    expect(status.body).toMatchObject({ state: "online", mode: "node", bootstrap: [{ nodeId: a.started.identity.nodeId, reachable: true }] });
    expect(status.body.families[0].routingTableSize).toBeGreaterThanOrEqual(1);
    expect(status.body.lastAnnounce).not.toBeNull();
    // An unknown (valid) ID is not found, without an error.
    const unknown = await get(a, memberA, `/api/network/lookup/${KeyPair.random().id}`);
    expect(unknown.body).toMatchObject({ found: false, address: null, endpoints: [] });
  }, 30_000);

  test("the choice is audited, kept across restarts, and turning it off leaves the network", async () => {
    const audit = await get(a, ownerA, "/api/audit?action=network.settings_changed");
    expect(audit.body.entries[0]).toMatchObject({ actor: ownerA.address, detail: { enabled: true } });
    const off = await enable(b, ownerB, false);
    expect(off.body).toMatchObject({ enabled: false, state: "off", udpPort: null });
    // A restarted node comes back as its Owner left it: A on the network (with its saved table), B off.
    await a.node.stop();
    const again = await startTestNode({ env: DEV, dataDir: a.dataDir });
    try {
      const status = await get(again, ownerA, "/api/network/status");
      expect(status.body.enabled).toBe(true);
      expect(status.body.udpPort).toBeGreaterThan(0);
      expect(existsSync(join(a.dataDir, "network", "routing-ipv4.json"))).toBe(true);
    } finally {
      await again.node.stop();
    }
    expect((await get(b, ownerB, "/api/network/status")).body.enabled).toBe(false);
  });
});
