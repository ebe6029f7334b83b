import { describe, expect, test } from "bun:test";
import { HTTP_ACCESS, WS_ACCESS, WS_TOPIC_ACCESS } from "../../../server/http/roles.ts";
import { RpcError, Pc2WsClient } from "../../../web/api/ws-client.ts";
import { createTestNode, startTestNode } from "../../helpers/test-node.ts";
import { claimOwner, httpFetcher } from "../../helpers/wallet-auth.ts";

describe("the role table", () => {
  test("every registered HTTP route, WS method and topic has an entry, and no entry is stale", async () => {
    const { node, cleanup } = createTestNode();
    try {
      const routes = node.app.routes.map((r) => `${r.method} ${r.path}`);
      expect(routes.filter((r) => !(r in HTTP_ACCESS))).toEqual([]);
      expect(Object.keys(HTTP_ACCESS).filter((k) => !routes.includes(k))).toEqual([]);
      const methods = node.hub.methodNames();
      expect(methods.filter((m) => !(m in WS_ACCESS))).toEqual([]);
      expect(Object.keys(WS_ACCESS).filter((m) => !methods.includes(m))).toEqual([]);
      expect(node.hub.topicNames().filter((t) => !(t in WS_TOPIC_ACCESS))).toEqual([]);
    } finally {
      await node.stop();
      cleanup();
    }
  });

  test("a route or method registered without an entry is refused, not open (fail closed)", async () => {
    const t = await startTestNode({
      beforeStart: (node) => {
        node.app.get("/api/forgotten", () => "secret");
        node.hub.register("forgotten.method", () => "secret");
      },
    });
    try {
      const res = await fetch(`${t.url}/api/forgotten`);
      expect(res.status).toBe(403);
      expect((await res.json()).code).toBe("no_access_rule");
      const owner = await claimOwner(httpFetcher(t.url), t.started.setup.code!);
      const ws = await Pc2WsClient.connect(t.wsUrl, { headers: owner.bearer });
      const err = (await ws.call("forgotten.method").catch((e) => e)) as RpcError;
      expect(err.appCode).toBe("no_access_rule");
      ws.close();
    } finally {
      await t.stop();
    }
  });
});
