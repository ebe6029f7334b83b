// The hub's messages and handshakes: sizes counted in bytes (the node's limit, a method's own,
// past Bun's 16 MiB frame ceiling), nulls kept, failures hidden, binary frames, duplicate and
// cancelled calls, subscriptions; and why a handshake is refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { WS_CLOSE } from "../../server/http/ws-protocol.ts";
import { Pc2WsClient, type RpcError } from "../../web/api/ws-client.ts";
import { rawWs } from "../helpers/raw-ws.ts";
import type { TestNode } from "../helpers/test-node.ts";
import type { SignedIn } from "../helpers/wallet-auth.ts";
import { LIMIT, sized, startHubNode, until, type HubNode } from "../helpers/ws-hub-node.ts";

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
    expect(h.abortReasons.at(-1)).toBe("cancelled by client");
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
