// The hub's own contract, beyond dispatch (ws-hub.test.ts): registration, wallet-scoped and
// filtered publishing, pushing to one connection, disconnect listeners, closing by principal, the
// heartbeat's session check, and stop. Messages and handshakes: ws-hub-messages.test.ts. Mutation
// testing (the ws-hub group) showed these were only exercised by other features' tests, or not at all.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { notificationText } from "../../server/http/json-rpc.ts";
import { WS_CLOSE } from "../../server/http/ws-protocol.ts";
import { Pc2WsClient, type RpcError } from "../../web/api/ws-client.ts";
import { rawWs } from "../helpers/raw-ws.ts";
import { startTestNode, type TestNode } from "../helpers/test-node.ts";
import { addUser, claimOwner, httpFetcher, type SignedIn } from "../helpers/wallet-auth.ts";
import { TEST_METHODS, TEST_TOPICS, startHubNode, until, type HubNode } from "../helpers/ws-hub-node.ts";

let h: HubNode;
let t: TestNode;
let port: number;
let owner: SignedIn;
let member: SignedIn;
const connect = (who: SignedIn = owner) => Pc2WsClient.connect(t.wsUrl, { headers: who.bearer });

beforeAll(async () => {
  h = await startHubNode();
  ({ t, port, owner, member } = h);
});
afterAll(() => h.stop());

describe("registration", () => {
  test("a method or a topic registered twice is a programming error that names it", () => {
    expect(() => t.node.hub.register("life.echo", () => null)).toThrow("ws method life.echo registered twice");
    expect(() => t.node.hub.registerTopic("life.a")).toThrow("ws topic life.a registered twice");
  });

  test("rpc.methods lists methods and topics sorted; methods without a schema are listed as such", async () => {
    const c = await connect();
    const { methods, topics } = await c.call<{ methods: string[]; topics: string[] }>("rpc.methods");
    expect(methods).toEqual([...methods].sort());
    expect(methods).toEqual(expect.arrayContaining([...TEST_METHODS, "rpc.subscribe", "rpc.unsubscribe", "rpc.cancel", "rpc.methods"]));
    expect(topics).toEqual([...topics].sort());
    expect(topics).toEqual(expect.arrayContaining(TEST_TOPICS));
    // The node's own methods all have schemas; the ones these tests registered without one do not.
    expect(t.node.hub.methodsWithoutSchema()).toEqual(["life.big", "life.crash", "life.echo", "life.huge", "life.id", "life.nulls", "life.wait"]);
    expect(((await c.call("life.typed", { n: "one" }).catch((e) => e)) as RpcError).code).toBe(-32602);
    expect(await c.call("life.typed", { n: 1 })).toEqual({ n: 1 });
    c.close();
  });

  test("the rpc.* methods check their params: a bad one is invalid params (-32602), never reaches the method", async () => {
    const c = await connect();
    const refused = async (method: string, params: object) => (await c.call(method, params).catch((e) => e)) as RpcError;
    for (const [method, params] of [
      ["rpc.subscribe", { topics: ["UPPER/../x"] }],
      ["rpc.unsubscribe", { topics: "life.a" }],
      ["rpc.cancel", {}],
      ["rpc.cancel", { id: "x".repeat(201) }],
    ] as const) {
      const err = await refused(method, params);
      expect(err.code).toBe(-32602);
      expect(err.appCode).toBe("invalid_request");
    }
    c.close();
  });
});

describe("publishing", () => {
  test("publishTo reaches only that wallet's subscribers, and counts them", async () => {
    const [a, b, m] = await Promise.all([connect(), connect(), connect(member)]);
    const got = { a: [] as unknown[], b: [] as unknown[], m: [] as unknown[] };
    a.on("life.event", (p) => void got.a.push(p));
    b.on("life.event", (p) => void got.b.push(p));
    m.on("life.event", (p) => void got.m.push(p));
    expect(t.node.hub.publishTo("life.a", owner.address, "life.event", { n: 0 })).toBe(0);
    for (const c of [a, b, m]) await c.subscribe(["life.a"]);
    expect(t.node.hub.publishTo("life.a", owner.address, "life.event", { n: 1 })).toBe(2);
    await until(() => got.a.length === 1 && got.b.length === 1);
    // One of the wallet's sockets leaves the topic: the other still hears it, the leaver does not.
    expect(await a.unsubscribe(["life.a"])).toEqual({ subscribed: [] });
    expect(t.node.hub.publishTo("life.a", owner.address, "life.event", { n: 2 })).toBe(1);
    await until(() => got.b.length === 2);
    expect(t.node.hub.publishTo("life.a", member.address, "life.event", { n: 3 })).toBe(1);
    await until(() => got.m.length === 1);
    await Bun.sleep(30);
    expect(got).toEqual({ a: [{ n: 1 }], b: [{ n: 1 }, { n: 2 }], m: [{ n: 3 }] });
    const ids = await Promise.all([b, m].map(async (c) => (await c.call<{ id: number }>("life.id")).id));
    for (const c of [a, b, m]) c.close();
    // Closed sockets leave the index: nobody is counted, nothing is sent.
    await until(() => ids.every((id) => h.disconnected.includes(id)));
    expect(t.node.hub.publishTo("life.a", owner.address, "life.event", { n: 4 })).toBe(0);
    expect(t.node.hub.publishTo("life.a", member.address, "life.event", { n: 4 })).toBe(0);
  });

  test("publish with a filter sends only to the principals it passes", async () => {
    const [o, m] = await Promise.all([connect(), connect(member)]);
    const got: string[] = [];
    o.on("life.event", () => void got.push("owner"));
    m.on("life.event", () => void got.push("member"));
    await o.subscribe(["life.b"]);
    await m.subscribe(["life.b"]);
    expect(t.node.hub.publish("life.b", "life.event", {}, (p) => p.role === "owner")).toBe(1);
    expect(t.node.hub.publish("life.b", "life.event", {})).toBe(2);
    await until(() => got.length === 3);
    expect(got.sort()).toEqual(["member", "owner", "owner"]);
    o.close();
    m.close();
  });

  test("sendTo pushes to one connection by id; an unknown id is false", async () => {
    const [c, other] = await Promise.all([connect(), connect()]);
    const { id } = await c.call<{ id: number }>("life.id");
    const { id: otherId } = await other.call<{ id: number }>("life.id");
    expect(otherId).not.toBe(id);
    const heard: unknown[] = [];
    other.on("life.direct", (p) => void heard.push(p));
    const direct = c.next("life.direct");
    expect(t.node.hub.sendTo(id, "life.direct", { to: id })).toBe(true);
    expect(await direct).toEqual({ to: id });
    expect(t.node.hub.sendTo(999_999, "life.direct", {})).toBe(false);
    await Bun.sleep(30);
    expect(heard).toEqual([]);
    c.close();
    other.close();
  });
});

describe("connections ending", () => {
  test("disconnect listeners hear each connection's id; its running calls are aborted", async () => {
    const c = await connect();
    const { id } = await c.call<{ id: number }>("life.id");
    const before = h.abortReasons.length;
    const running = c.call("life.wait").catch((e) => e);
    await Bun.sleep(20);
    c.close();
    await until(() => h.disconnected.includes(id));
    expect(await running).toBeInstanceOf(Error);
    await until(() => h.abortReasons.length > before);
    expect(h.abortReasons.at(-1)).toBe("connection closed");
  });

  test("one notification larger than the send buffer closes its reader as a slow consumer; it is not counted as sent", async () => {
    const node = await startTestNode({ env: { PC2_WS_SEND_BUFFER_BYTES: "65536" } });
    try {
      const f = httpFetcher(node.url);
      const who = await claimOwner(f, node.started.setup.code!);
      const c = await Pc2WsClient.connect(node.wsUrl, { headers: who.bearer });
      await c.subscribe(["node"]);
      const closed = new Promise<[number, string]>((r) => c.onClose((code, reason) => r([code, reason])));
      // Exactly the buffer's size, with nothing waiting: sent.
      const exact = { blob: "z".repeat(65536 - notificationText("life.exact", { blob: "" }).length) };
      expect(notificationText("life.exact", exact).length).toBe(65536);
      const got = c.next("life.exact") as Promise<{ blob: string }>;
      expect(node.node.hub.publish("node", "life.exact", exact)).toBe(1);
      expect((await got).blob.length).toBe(exact.blob.length);
      await Bun.sleep(50); // read by the client: nothing waits any more
      expect(node.node.hub.publish("node", "life.huge", { blob: "z".repeat(70_000) })).toBe(0);
      expect(await closed).toEqual([WS_CLOSE.slowConsumer, "slow consumer: more than 65536 bytes waiting to be read"]);
    } finally {
      await node.stop();
    }
  });

  test("closeWhere closes the matching connections with the code and reason, counts them, and leaves the rest", async () => {
    const [o1, o2, m] = await Promise.all([connect(), connect(), connect(member)]);
    const codes: [number, string][] = [];
    for (const c of [o1, o2]) c.onClose((code, reason) => void codes.push([code, reason]));
    expect(t.node.hub.closeWhere((p) => p.address === owner.address, WS_CLOSE.sessionEnded, "revoked for the test")).toBe(2);
    await until(() => codes.length === 2);
    expect(codes).toEqual([
      [WS_CLOSE.sessionEnded, "revoked for the test"],
      [WS_CLOSE.sessionEnded, "revoked for the test"],
    ]);
    expect(m.closed).toBeNull();
    expect(await m.call("system.ping")).toMatchObject({ pong: expect.any(Number) });
    expect(t.node.hub.closeWhere(() => false, WS_CLOSE.sessionEnded, "nobody")).toBe(0);
    m.close();
  });

  test("the heartbeat closes a socket whose session ended behind the node's back (another process)", async () => {
    const leaving = await addUser(httpFetcher(t.url), owner, "member");
    const c = await connect(leaving);
    const closed = new Promise<[number, string]>((r) => c.onClose((code, reason) => r([code, reason])));
    const db = new Database(join(t.dataDir, "pc2.db"));
    try {
      db.run("PRAGMA busy_timeout = 5000");
      db.query("DELETE FROM sessions WHERE address = ?").run(leaving.address.toLowerCase());
    } finally {
      db.close();
    }
    expect(await closed).toEqual([WS_CLOSE.sessionEnded, "session ended"]);
  });
});

describe("stop", () => {
  // Last: it stops the heartbeat of this file's node.
  test("says goodbye to every client with 1001 and its reason, and stops the heartbeat", async () => {
    const [a, b] = await Promise.all([connect(), connect(member)]);
    const codes: [number, string][] = [];
    for (const c of [a, b]) c.onClose((code, reason) => void codes.push([code, reason]));
    // As the node stops it (no reason given).
    t.node.hub.stop();
    await until(() => codes.length === 2);
    expect(codes).toEqual([
      [WS_CLOSE.shuttingDown, "server shutting down"],
      [WS_CLOSE.shuttingDown, "server shutting down"],
    ]);
    // No heartbeat any more: a client that never answers pings is neither pinged nor closed.
    const raw = await rawWs(port, { Authorization: owner.bearer.authorization! });
    await Bun.sleep(700);
    expect(raw.frames.some((f) => f.opcode === 0x9)).toBe(false);
    expect(raw.closeFrame()).toBeNull();
    raw.socket.destroy();
  });
});
