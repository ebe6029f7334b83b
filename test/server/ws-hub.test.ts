import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { WS_ACCESS, WS_TOPIC_ACCESS } from "../../server/http/roles.ts";
import { WS_CLOSE } from "../../server/http/ws-protocol.ts";
import { Pc2WsClient, RpcError } from "../../web/api/ws-client.ts";
import { rawWs } from "../helpers/raw-ws.ts";
import { startTestNode, type TestNode } from "../helpers/test-node.ts";
import { addUser, claimOwner, httpFetcher, type SignedIn } from "../helpers/wallet-auth.ts";

let t: TestNode;
let port: number;
let owner: SignedIn;
let member: SignedIn;
const connect = (who: SignedIn = owner) => Pc2WsClient.connect(t.wsUrl, { headers: who.bearer });
const openRaw = (extra: Record<string, string> = {}) => rawWs(port, { Authorization: owner.bearer.authorization!, ...extra });

// Methods and topics only these tests register, with their entries in the role table.
const TEST_METHODS = ["test.wait", "test.crash", "test.big", "test.notify"];
const TEST_TOPICS: Record<string, "member" | "owner"> = { "test.flood": "member", "test.private": "owner", "test.extra": "member" };

/** Wait until `check` is true (bounded). */
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await Bun.sleep(10);
  }
}

beforeAll(async () => {
  t = await startTestNode({
    env: { PC2_WS_MAX_MESSAGE_BYTES: "4096", PC2_WS_HEARTBEAT_MS: "150", PC2_WS_SEND_BUFFER_BYTES: "65536", PC2_WS_MAX_IN_FLIGHT: "3", PC2_WS_MAX_SUBSCRIPTIONS: "2" },
    beforeStart: (node) => {
      // Methods only these tests need: one that waits until cancelled, one that fails unexpectedly.
      node.hub.register("test.wait", (_p, ctx) => new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(new Error("aborted")))));
      node.hub.register("test.crash", () => {
        throw new TypeError("secret internal detail");
      });
      // A method (the Owner's) that takes messages larger than the connection's limit (4096 here), as execute does.
      node.hub.register("test.big", (p) => ({ bytes: JSON.stringify(p).length }), { maxMessageBytes: 16_384 });
      // A method that sends notifications while it runs: an object, then a bare string.
      node.hub.register("test.notify", (_p, ctx) => {
        ctx.notify("test.progress", { step: 1 });
        ctx.notify("test.progress", "plain");
        return { done: true };
      });
      for (const m of TEST_METHODS) WS_ACCESS[m] = { role: m === "test.big" ? "owner" : "member" };
      for (const [topic, role] of Object.entries(TEST_TOPICS)) {
        WS_TOPIC_ACCESS[topic] = { role };
        node.hub.registerTopic(topic);
      }
    },
  });
  port = t.started.port;
  const f = httpFetcher(t.url);
  owner = await claimOwner(f, t.started.setup.code!);
  member = await addUser(f, owner, "member");
});
afterAll(async () => {
  for (const m of TEST_METHODS) delete WS_ACCESS[m];
  for (const topic of Object.keys(TEST_TOPICS)) delete WS_TOPIC_ACCESS[topic];
  await t.stop();
});

describe("JSON-RPC over /ws", () => {
  test("calls a service method", async () => {
    const c = await connect();
    const info = await c.call<{ nodeId: string }>("system.info");
    expect(info.nodeId).toBe(t.started.identity.nodeId);
    const health = await c.call<{ status: string }>("system.health");
    expect(health.status).toBe("ok");
    expect((await c.call<{ methods: string[] }>("rpc.methods")).methods).toContain("system.ping");
    c.close();
  });

  test("batches answer every call and skip notifications", async () => {
    const raw = await openRaw();
    raw.sendText(
      JSON.stringify([
        { jsonrpc: "2.0", id: 1, method: "system.ping" },
        { jsonrpc: "2.0", method: "system.ping" },
        { jsonrpc: "2.0", id: "b", method: "no.such" },
      ]),
    );
    await until(() => raw.texts().length > 0);
    const replies = raw.texts()[0];
    expect(replies.length).toBe(2);
    expect(replies[0]).toMatchObject({ id: 1, result: { pong: expect.any(Number) } });
    expect(replies[1]).toMatchObject({ id: "b", error: { code: -32601 } });
    raw.sendText("[]");
    await until(() => raw.texts().length > 1);
    expect(raw.texts()[1].error.code).toBe(-32600);
    raw.socket.destroy();
  });

  test("a notification gets no response", async () => {
    const raw = await openRaw();
    raw.sendText(JSON.stringify({ jsonrpc: "2.0", method: "system.ping" }));
    raw.sendText(JSON.stringify({ jsonrpc: "2.0", id: 7, method: "system.ping" }));
    await until(() => raw.texts().length > 0);
    await Bun.sleep(50);
    expect(raw.texts().length).toBe(1);
    expect(raw.texts()[0].id).toBe(7);
    raw.socket.destroy();
  });

  test("malformed messages get the standard error codes", async () => {
    const raw = await openRaw();
    const cases: [string, number][] = [
      ["{not json", -32700],
      [JSON.stringify({ id: 1, method: "system.ping" }), -32600],
      [JSON.stringify({ jsonrpc: "2.0", id: 2, method: 42 }), -32600],
      [JSON.stringify({ jsonrpc: "2.0", id: { x: 1 }, method: "system.ping" }), -32600],
      [JSON.stringify({ jsonrpc: "2.0", id: 3, method: "system.ping", params: "str" }), -32600],
      [JSON.stringify({ jsonrpc: "2.0", id: 4, method: "nope" }), -32601],
      ["42", -32600],
    ];
    for (const [i, [text, code]] of cases.entries()) {
      raw.sendText(text);
      await until(() => raw.texts().length > i);
      expect(raw.texts()[i].error.code).toBe(code);
    }
    raw.socket.destroy();
  });

  test("an unexpected failure is -32603 without internal details", async () => {
    const c = await connect();
    const err = (await c.call("test.crash").catch((e) => e)) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe(-32603);
    expect(err.message).not.toContain("secret");
    c.close();
  });

  test("notifications a call sends carry its id as callId (objects only); a notification request's carry none", async () => {
    const raw = await openRaw();
    raw.sendText(JSON.stringify({ jsonrpc: "2.0", id: "n1", method: "test.notify" }));
    await until(() => raw.texts().length >= 3);
    expect(raw.texts().slice(0, 3)).toEqual([
      { jsonrpc: "2.0", method: "test.progress", params: { step: 1, callId: "n1" } },
      { jsonrpc: "2.0", method: "test.progress", params: "plain" },
      { jsonrpc: "2.0", id: "n1", result: { done: true } },
    ]);
    raw.sendText(JSON.stringify({ jsonrpc: "2.0", method: "test.notify" }));
    await until(() => raw.texts().length >= 5);
    expect(raw.texts().slice(3, 5)).toEqual([
      { jsonrpc: "2.0", method: "test.progress", params: { step: 1 } },
      { jsonrpc: "2.0", method: "test.progress", params: "plain" },
    ]);
    raw.socket.destroy();
  });

  test("cancel aborts a running call", async () => {
    const c = await connect();
    const ctrl = new AbortController();
    const pending = c.call("test.wait", {}, { signal: ctrl.signal }).catch((e) => e);
    await Bun.sleep(20);
    ctrl.abort();
    const err = (await pending) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe(-32603);
    c.close();
  });

  test("in-flight calls per connection are capped", async () => {
    const c = await connect();
    const waits = [1, 2, 3].map(() => c.call("test.wait").catch((e) => e));
    const err = (await c.call("system.ping").catch((e) => e)) as RpcError;
    expect(err.appCode).toBe("too_many_requests");
    c.close();
    await Promise.all(waits);
  });
});

describe("subscriptions", () => {
  test("only subscribers receive a topic's notifications", async () => {
    const a = await connect();
    const b = await connect();
    expect(await a.subscribe(["test.flood"])).toEqual({ subscribed: ["test.flood"] });
    const gotA: unknown[] = [];
    const gotB: unknown[] = [];
    a.on("test.event", (p) => gotA.push(p));
    b.on("test.event", (p) => gotB.push(p));
    expect(t.node.hub.publish("test.flood", "test.event", { n: 1 })).toBe(1);
    await until(() => gotA.length === 1);
    await a.unsubscribe(["test.flood"]);
    expect(t.node.hub.publish("test.flood", "test.event", { n: 2 })).toBe(0);
    await Bun.sleep(30);
    expect(gotA).toEqual([{ n: 1 }]);
    expect(gotB).toEqual([]);
    a.close();
    b.close();
  });

  test("unknown, forbidden and too many topics are refused", async () => {
    const c = await connect();
    expect(((await c.subscribe(["no.such"]).catch((e) => e)) as RpcError).appCode).toBe("unknown_topic");
    const m = await connect(member);
    expect(((await m.subscribe(["test.private"]).catch((e) => e)) as RpcError).appCode).toBe("insufficient_role");
    m.close();
    expect(await c.subscribe(["test.private"])).toEqual({ subscribed: ["test.private"] });
    await c.unsubscribe(["test.private"]);
    expect(((await c.subscribe([]).catch((e) => e)) as RpcError).appCode).toBe("invalid_request");
    expect(((await c.call("rpc.subscribe", { topics: ["UPPER/../x"] }).catch((e) => e)) as RpcError).code).toBe(-32602);
    await c.subscribe(["test.flood", "node"]);
    expect(((await c.subscribe(["test.extra"]).catch((e) => e)) as RpcError).appCode).toBe("too_many_subscriptions");
    c.close();
  });
});

describe("limits", () => {
  test("a message over the size limit closes the connection with 1009", async () => {
    const c = await connect();
    const closed = new Promise<number>((r) => c.onClose((code) => r(code)));
    c.notify("system.ping", { pad: "x".repeat(5000) });
    expect(await closed).toBe(WS_CLOSE.messageTooBig);
  });

  const rpc = (id: number | string, method: string, params: unknown) => ({ jsonrpc: "2.0", id, method, params });
  const closedWith = async (who: SignedIn, message: unknown): Promise<{ code: number; replies: unknown[] }> => {
    const raw = await rawWs(port, { Authorization: who.bearer.authorization! });
    raw.sendText(JSON.stringify(message));
    await until(() => raw.closeFrame() !== null || raw.texts().length > 0);
    return { code: raw.closeFrame()?.code ?? 0, replies: raw.texts() };
  };

  test("a method with its own larger limit takes a message over the connection's; others still close with 1009", async () => {
    const pad = "x".repeat(8000);
    const answered = await closedWith(owner, rpc(1, "test.big", { pad }));
    expect(answered.code).toBe(0);
    expect(answered.replies[0]).toMatchObject({ id: 1, result: { bytes: expect.any(Number) } });
    // The same size to a method without a larger limit.
    expect((await closedWith(owner, rpc(2, "system.ping", { pad }))).code).toBe(WS_CLOSE.messageTooBig);
    // A batch over the limit: every call in it must be to a method that takes that size.
    expect((await closedWith(owner, [rpc(3, "test.big", { pad }), rpc(4, "system.ping", {})])).code).toBe(WS_CLOSE.messageTooBig);
    // Over even the method's own limit.
    expect((await closedWith(owner, rpc(5, "test.big", { pad: "x".repeat(17_000) }))).code).toBe(WS_CLOSE.messageTooBig);
  });

  test("a larger limit counts only for a caller who may call such a method", async () => {
    const pad = "x".repeat(8000);
    // A Member may call no method that takes 8000 bytes: their message is refused unread.
    expect((await closedWith(member, rpc(2, "test.big", { pad }))).code).toBe(WS_CLOSE.messageTooBig);
    // Within the connection's limit the same call is answered with the role error, not a close.
    const small = await closedWith(member, rpc(3, "test.big", { pad: "x" }));
    expect(small.code).toBe(0);
    expect(small.replies[0]).toMatchObject({ id: 3, error: { data: { code: "insufficient_role" } } });
  });

  test("a client that never answers pings is closed by the heartbeat", async () => {
    const raw = await openRaw();
    await raw.ended;
    expect(raw.frames.some((f) => f.opcode === 0x9)).toBe(true); // it was pinged
    expect(raw.closeFrame()).toEqual({ code: WS_CLOSE.heartbeatTimeout, reason: "heartbeat timeout: no pong received" });
  });

  test("a polite client that answers pings stays connected across many heartbeats", async () => {
    const c = await connect();
    await Bun.sleep(600);
    expect(c.closed).toBeNull();
    expect(await c.call("system.ping")).toMatchObject({ pong: expect.any(Number) });
    c.close();
  });

  test("a slow consumer is closed with a reason instead of buffering without bound", async () => {
    const raw = await openRaw();
    raw.sendText(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "rpc.subscribe", params: { topics: ["test.flood"] } }));
    await until(() => raw.texts().length > 0);
    raw.socket.pause(); // stop reading: the kernel buffers fill, then the server's
    const before = t.node.hub.connectionCount();
    const payload = { blob: "y".repeat(32 * 1024) };
    let published = 0;
    for (let i = 0; i < 2000 && t.node.hub.connectionCount() === before; i++) {
      published += t.node.hub.publish("test.flood", "test.event", payload);
      if (i % 50 === 0) await Bun.sleep(1);
    }
    expect(t.node.hub.connectionCount()).toBe(before - 1);
    expect(published).toBeLessThan(2000);
    expect(t.logs.some((l) => l.msg === "ws closed by server" && String(l.reason).startsWith("slow consumer"))).toBe(true);
    raw.socket.destroy();
  });
});

describe("handshake", () => {
  test("a page from another origin cannot open /ws", async () => {
    const raw = await rawWs(port, { Authorization: owner.bearer.authorization!, Origin: "https://evil.example" });
    expect(raw.status).toBe(403);
    expect(raw.head).toContain("application/json");
    raw.socket.destroy();
  });

  test("the node's own origin can", async () => {
    const raw = await rawWs(port, { Authorization: owner.bearer.authorization!, Origin: `http://127.0.0.1:${port}` });
    expect(raw.status).toBe(101);
    raw.socket.destroy();
  });

  test("plain GET /ws → 426 upgrade_required", async () => {
    const res = await fetch(`${t.url}/ws`);
    expect(res.status).toBe(426);
    expect((await res.json()).code).toBe("upgrade_required");
  });
});

describe("connections per wallet", () => {
  test("past the cap a wallet's handshake gets 429; other wallets are unaffected; closing one frees a place", async () => {
    const node = await startTestNode({ env: { PC2_WS_MAX_CONNECTIONS_PER_USER: "3" } });
    try {
      const f = httpFetcher(node.url);
      const a = await claimOwner(f, node.started.setup.code!);
      const b = await addUser(f, a, "member");
      const { Pc2WsClient } = await import("../../web/api/ws-client.ts");
      const open = await Promise.all([1, 2, 3].map(() => Pc2WsClient.connect(node.wsUrl, { headers: b.bearer })));
      const extra = await rawWs(node.started.port, { Authorization: b.bearer.authorization! });
      expect(extra.status).toBe(429);
      expect(extra.head).toContain("application/json");
      extra.socket.destroy();
      const other = await Pc2WsClient.connect(node.wsUrl, { headers: a.bearer });
      open[0]!.close();
      await until(() => node.node.hub.connectionCount() === 3);
      const again = await Pc2WsClient.connect(node.wsUrl, { headers: b.bearer });
      for (const c of [...open.slice(1), other, again]) c.close();
    } finally {
      await node.stop();
    }
  });
});
