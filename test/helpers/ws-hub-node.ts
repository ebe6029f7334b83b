// A node for the WebSocket hub's own tests (ws-hub-lifecycle, ws-hub-messages): small limits, a
// fast heartbeat, and test methods and topics ("life.*") registered before it starts, open to members.
import { expect } from "bun:test";
import { t as schema } from "elysia";
import { WS_ACCESS, WS_TOPIC_ACCESS } from "../../server/http/roles.ts";
import { startTestNode, type TestNode } from "./test-node.ts";
import { addUser, claimOwner, httpFetcher, type SignedIn } from "./wallet-auth.ts";

/** The node's message size limit (PC2_WS_MAX_MESSAGE_BYTES). */
export const LIMIT = 4096;
export const TEST_METHODS = ["life.id", "life.wait", "life.echo", "life.typed", "life.big", "life.huge", "life.nulls", "life.crash"];
/** Past Bun's own frame ceiling (16 MiB), which the hub must raise for a method that takes more. */
export const HUGE = 17 * 1024 * 1024;
export const TEST_TOPICS = ["life.b", "life.a"];

export interface HubNode {
  t: TestNode;
  port: number;
  owner: SignedIn;
  member: SignedIn;
  /** Ids of the connections the hub's disconnect listeners heard end. */
  disconnected: number[];
  /** Why each life.wait call was aborted, as its handler saw it. */
  abortReasons: string[];
  stop(): Promise<void>;
}

export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await Bun.sleep(10);
  }
}

/** A call's JSON text padded to exactly `bytes` bytes (UTF-8), with `unit` as the padding character. */
export function sized(bytes: number, unit = "x", method = "life.echo"): string {
  const frame = (pad: string) => JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: { pad } });
  const base = Buffer.byteLength(frame(""));
  const unitBytes = Buffer.byteLength(unit);
  const text = frame(unit.repeat(Math.floor((bytes - base) / unitBytes)) + "x".repeat((bytes - base) % unitBytes));
  expect(Buffer.byteLength(text)).toBe(bytes);
  return text;
}

/** Starts the node with an Owner and a Member signed in; `stop` also removes the test methods' access rules. */
export async function startHubNode(): Promise<HubNode> {
  const disconnected: number[] = [];
  const abortReasons: string[] = [];
  const t = await startTestNode({
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
  const f = httpFetcher(t.url);
  const owner = await claimOwner(f, t.started.setup.code!);
  const member = await addUser(f, owner, "member");
  return {
    t,
    port: t.started.port,
    owner,
    member,
    disconnected,
    abortReasons,
    stop: async () => {
      for (const m of TEST_METHODS) delete WS_ACCESS[m];
      for (const topic of TEST_TOPICS) delete WS_TOPIC_ACCESS[topic];
      await t.stop();
    },
  };
}
