// The hub's own contract, beyond dispatch (ws-hub.test.ts): registration, wallet-scoped and
// filtered publishing, pushing to one connection, disconnect listeners, closing by principal, the
// heartbeat's session check, message sizes counted in bytes, duplicate and cancelled calls,
// handshake refusals with their messages, and stop. Mutation testing (the ws-hub group) showed
// these were only exercised by other features' tests, or not at all.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { WS_ACCESS, WS_TOPIC_ACCESS } from "../../server/http/roles.ts";
import { t as schema } from "elysia";
import { notificationText } from "../../server/http/json-rpc.ts";
import { WS_CLOSE } from "../../server/http/ws-protocol.ts";
import { Pc2WsClient, RpcError } from "../../web/api/ws-client.ts";
import { rawWs } from "../helpers/raw-ws.ts";
import { startTestNode, type TestNode } from "../helpers/test-node.ts";
import { addUser, claimOwner, httpFetcher, type SignedIn } from "../helpers/wallet-auth.ts";

const LIMIT = 4096;
let t: TestNode;
let port: number;
let owner: SignedIn;
let member: SignedIn;
const disconnected: number[] = [];
/** Why each life.wait call was aborted, as its handler saw it. */
const abortReasons: string[] = [];
const connect = (who: SignedIn = owner) => Pc2WsClient.connect(t.wsUrl, { headers: who.bearer });

const TEST_METHODS = ["life.id", "life.wait", "life.echo", "life.typed", "life.big", "life.huge", "life.nulls", "life.crash"];
/** Past Bun's own frame ceiling (16 MiB), which the hub must raise for a method that takes more. */
const HUGE = 17 * 1024 * 1024;
const TEST_TOPICS = ["life.b", "life.a"];

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await Bun.sleep(10);
  }
}

/** A call's JSON text padded to exactly `bytes` bytes (UTF-8), with `unit` as the padding character. */
function sized(bytes: number, unit = "x", method = "life.echo"): string {
  const frame = (pad: string) => JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: { pad } });
  const base = Buffer.byteLength(frame(""));
  const unitBytes = Buffer.byteLength(unit);
  const text = frame(unit.repeat(Math.floor((bytes - base) / unitBytes)) + "x".repeat((bytes - base) % unitBytes));
  expect(Buffer.byteLength(text)).toBe(bytes);
  return text;
}

beforeAll(async () => {
  t = await startTestNode({
    env: { PC2_WS_MAX_MESSAGE_BYTES: String(LIMIT), PC2_WS_HEARTBEAT_MS: "200", PC2_WS_MAX_CONNECTIONS_PER_USER: "4", PC2_WS_MAX_SUBSCRIPTIONS: "3" },
    beforeStart: (node) => {
      node.hub.register("life.id", (_p, ctx) => ({ id: ctx.connection.id }));
      node.hub.register(
        "life.wait",
        (_p, ctx) =>
          new Promise((_, reject) =>
            ctx.signal.addEventListener("abort", () => {
              abortReasons.push(String((ctx.signal.reason as Error)?.message));
              reject(new Error("aborted"));
            }),
          ),
      );
      node.hub.register("life.big", (p) => ({ bytes: JSON.stringify(p).length }), { maxMessageBytes: 2 * LIMIT });
      node.hub.register("life.huge", (p) => ({ bytes: JSON.stringify(p).length }), { maxMessageBytes: HUGE });
      node.hub.register("life.nulls", (_p, ctx) => (ctx.notify("life.progress", null), { done: true }));
      node.hub.register("life.crash", () => {
        throw new TypeError("internal detail");
      });
      node.hub.register("life.echo", (p) => ({ bytes: JSON.stringify(p).length }));
      node.hub.register("life.typed", (p) => p, { params: schema.Object({ n: schema.Number() }) });
      for (const m of TEST_METHODS) WS_ACCESS[m] = { role: "member" };
      // Owner only: a member's message larger than any method it may call is refused unread.
      WS_ACCESS["life.huge"] = { role: "owner" };
      for (const topic of TEST_TOPICS) {
        WS_TOPIC_ACCESS[topic] = { role: "member" };
        node.hub.registerTopic(topic);
      }
      node.hub.onDisconnect((id) => void disconnected.push(id));
    },
  });
  port = t.started.port;
  const f = httpFetcher(t.url);
  owner = await claimOwner(f, t.started.setup.code!);
  member = await addUser(f, owner, "member");
});
afterAll(async () => {
  for (const m of TEST_METHODS) delete WS_ACCESS[m];
  for (const topic of TEST_TOPICS) delete WS_TOPIC_ACCESS[topic];
  await t.stop();
});

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
    await until(() => ids.every((id) => disconnected.includes(id)));
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
    const before = abortReasons.length;
    const running = c.call("life.wait").catch((e) => e);
    await Bun.sleep(20);
    c.close();
    await until(() => disconnected.includes(id));
    expect(await running).toBeInstanceOf(Error);
    await until(() => abortReasons.length > before);
    expect(abortReasons.at(-1)).toBe("connection closed");
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

describe("messages", () => {
  test("size is counted in bytes: exactly the limit is read, one byte more closes with 1009, multi-byte text counts each byte", async () => {
    const answered = await rawWs(port, { Authorization: owner.bearer.authorization! });
    answered.sendText(sized(LIMIT));
    await until(() => answered.texts().length > 0);
    expect(answered.texts()[0]).toMatchObject({ id: 1, result: { bytes: expect.any(Number) } });
    answered.socket.destroy();
    for (const text of [sized(LIMIT + 1), sized(LIMIT + 2, "€")]) {
      const raw = await rawWs(port, { Authorization: owner.bearer.authorization! });
      raw.sendText(text);
      await until(() => raw.closeFrame() !== null || raw.texts().length > 0);
      expect(raw.closeFrame()).toEqual({ code: WS_CLOSE.messageTooBig, reason: `message larger than ${LIMIT} bytes` });
      raw.socket.destroy();
    }
    // 1,400 "€" are 4,200 bytes in fewer than 1,400 characters.
    expect("€".repeat(1400).length).toBeLessThan(LIMIT);
  });

  test("a method's own larger limit: exactly that size is read, one byte more closes; an oversize batch must be all such calls", async () => {
    const big = (bytes: number) => sized(bytes, "x", "life.big");
    const at = await rawWs(port, { Authorization: member.bearer.authorization! });
    at.sendText(big(2 * LIMIT));
    await until(() => at.texts().length > 0);
    expect(at.texts()[0]).toMatchObject({ id: 1, result: { bytes: expect.any(Number) } });
    at.socket.destroy();
    for (const text of [big(2 * LIMIT + 1), `[null,${big(LIMIT + 10)}]`, `[${big(LIMIT + 10)},${JSON.stringify({ jsonrpc: "2.0", id: 2, method: "system.ping" })}]`]) {
      const raw = await rawWs(port, { Authorization: member.bearer.authorization! });
      raw.sendText(text);
      await until(() => raw.closeFrame() !== null || raw.texts().length > 0);
      expect(raw.closeFrame()).toEqual({ code: WS_CLOSE.messageTooBig, reason: `message larger than ${LIMIT} bytes` });
      raw.socket.destroy();
    }
  });

  test("a method that takes more than Bun's 16 MiB frame ceiling gets it: the hub raises the transport's limit", async () => {
    const raw = await rawWs(port, { Authorization: owner.bearer.authorization! });
    raw.sendText(sized(16 * 1024 * 1024 + 1024, "x", "life.huge"));
    await until(() => raw.closeFrame() !== null || raw.texts().length > 0, 30_000);
    expect(raw.closeFrame()).toBeNull();
    expect(raw.texts()[0]).toMatchObject({ id: 1, result: { bytes: expect.any(Number) } });
    raw.socket.destroy();
  }, 60_000);

  test("a notification with null params stays null; a malformed request's error carries its id, or null", async () => {
    const raw = await rawWs(port, { Authorization: owner.bearer.authorization! });
    raw.sendText(JSON.stringify({ jsonrpc: "2.0", id: "n", method: "life.nulls" }));
    await until(() => raw.texts().length >= 2);
    expect(raw.texts()[0]).toEqual({ jsonrpc: "2.0", method: "life.progress", params: null });
    raw.sendText(JSON.stringify({ jsonrpc: "2.0", id: 5, method: 42 }));
    raw.sendText(JSON.stringify({ jsonrpc: "2.0", id: { no: 1 }, method: "system.ping" }));
    await until(() => raw.texts().length >= 4);
    expect(raw.texts()[2]).toEqual({ jsonrpc: "2.0", id: 5, error: { code: -32600, message: "method must be a non-empty string", data: { code: "invalid_request" } } });
    expect(raw.texts()[3]).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600 } });
    expect("id" in raw.texts()[3]).toBe(true);
    raw.socket.destroy();
  });

  test("a method's unexpected failure is logged with its name and hidden from the caller", async () => {
    const c = await connect();
    const err = (await c.call("life.crash").catch((e) => e)) as RpcError;
    expect([err.code, err.message]).toEqual([-32603, "Internal error"]);
    expect(t.logs.some((l) => l.msg === "ws method failed" && l.method === "life.crash")).toBe(true);
    c.close();
  });

  test("a binary frame is answered with invalid_request, and the connection stays open", async () => {
    const raw = await rawWs(port, { Authorization: owner.bearer.authorization! });
    raw.sendBinary(new Uint8Array([1, 2, 3]));
    await until(() => raw.texts().length > 0);
    expect(raw.texts()[0]).toMatchObject({ id: null, error: { code: -32600, data: { code: "invalid_request" } } });
    raw.sendText(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "system.ping" }));
    await until(() => raw.texts().length > 1);
    expect(raw.texts()[1]).toMatchObject({ id: 2, result: { pong: expect.any(Number) } });
    raw.socket.destroy();
  });

  test("a second call with the id of one still running is refused; the first is untouched and can be cancelled", async () => {
    const raw = await rawWs(port, { Authorization: owner.bearer.authorization! });
    raw.sendText(JSON.stringify({ jsonrpc: "2.0", id: "w", method: "life.wait" }));
    raw.sendText(JSON.stringify({ jsonrpc: "2.0", id: "w", method: "life.wait" }));
    await until(() => raw.texts().length > 0);
    expect(raw.texts()[0]).toMatchObject({ id: "w", error: { code: -32600 } });
    expect(raw.texts()[0].error.message).toContain('"w" is already running');
    raw.sendText(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "rpc.cancel", params: { id: "w" } }));
    raw.sendText(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "rpc.cancel", params: { id: "never" } }));
    await until(() => raw.texts().length >= 4);
    const byId = new Map(raw.texts().map((m) => [m.id, m]));
    expect(byId.get(1)).toEqual({ jsonrpc: "2.0", id: 1, result: { cancelled: true } });
    expect(byId.get(2)).toEqual({ jsonrpc: "2.0", id: 2, result: { cancelled: false } });
    expect(byId.get("w")).toMatchObject({ error: { code: -32603 } });
    // The method saw why: the client cancelled it.
    expect(abortReasons.at(-1)).toBe("cancelled by client");
    raw.socket.destroy();
  });

  test("subscribe and unsubscribe answer with the connection's topics, sorted", async () => {
    const c = await connect();
    expect(await c.subscribe(["life.b", "life.a"])).toEqual({ subscribed: ["life.a", "life.b"] });
    expect(await c.subscribe(["life.a"])).toEqual({ subscribed: ["life.a", "life.b"] });
    // Held in the order subscribed (b, a), answered sorted, by unsubscribe too.
    expect(await c.unsubscribe(["node"])).toEqual({ subscribed: ["life.a", "life.b"] });
    expect(await c.unsubscribe(["life.b"])).toEqual({ subscribed: ["life.a"] });
    expect(await c.unsubscribe(["life.b"])).toEqual({ subscribed: ["life.a"] });
    const err = (await c.subscribe(["no.such"]).catch((e) => e)) as RpcError;
    expect(err.message).toBe("Unknown topic: no.such");
    expect(err.data).toMatchObject({ topic: "no.such" });
    await c.subscribe(["node"]);
    const tooMany = (await c.subscribe(["life.b", "functions"]).catch((e) => e)) as RpcError;
    expect([tooMany.appCode, tooMany.message]).toEqual(["too_many_subscriptions", "A connection may hold at most 3 subscriptions"]);
    c.close();
  });
});

describe("handshake refusals say why", () => {
  test("plain GET: 426 with Upgrade: websocket", async () => {
    const res = await fetch(`${t.url}/ws`);
    expect(res.status).toBe(426);
    expect(res.headers.get("upgrade")).toBe("websocket");
    expect(await res.json()).toMatchObject({ code: "upgrade_required", message: "This endpoint speaks WebSocket only" });
  });

  test("a malformed Origin and a foreign one are refused with different messages", async () => {
    for (const [origin, message] of [
      ["::not a url::", "The Origin header is malformed"],
      ["https://evil.example", "Cross-origin WebSocket connections are refused"],
    ]) {
      const raw = await rawWs(port, { Authorization: owner.bearer.authorization!, Origin: origin! });
      expect(raw.status).toBe(403);
      raw.socket.destroy();
      const res = await fetch(`${t.url}/ws`, {
        headers: { ...owner.bearer, upgrade: "websocket", connection: "Upgrade", origin: origin!, "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" },
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: "origin_mismatch", message });
    }
  });

  test("an Upgrade header without a WebSocket handshake: 400 websocket_upgrade_failed", async () => {
    const res = await fetch(`${t.url}/ws`, { headers: { ...owner.bearer, upgrade: "websocket", connection: "Upgrade" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "websocket_upgrade_failed", message: "The WebSocket handshake failed" });
  });

  test("past the per-wallet cap: 429 too_many_connections, with the limit", async () => {
    const before = t.node.hub.connectionCount();
    const open = await Promise.all([1, 2, 3, 4].map(() => connect(member)));
    const res = await fetch(`${t.url}/ws`, {
      headers: { ...member.bearer, upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" },
    });
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ code: "too_many_connections", message: "At most 4 open connections per wallet; close another tab or script", limit: 4 });
    for (const c of open) c.close();
    await until(() => t.node.hub.connectionCount() === before);
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
