import { describe, expect, test } from "bun:test";
import { HTTP_ACCESS, WS_ACCESS, WS_TOPIC_ACCESS } from "../../../server/http/roles.ts";
import { RpcError, Pc2WsClient } from "../../../web/api/ws-client.ts";
import { createTestNode, startTestNode } from "../../helpers/test-node.ts";
import { claimOwner, httpFetcher, json } from "../../helpers/wallet-auth.ts";

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

  test("a route without scopes is for browser sessions only, and the list of them is deliberate", () => {
    const sessionOnly = Object.entries({ ...HTTP_ACCESS, ...WS_ACCESS })
      .filter(([, a]) => a.role !== null && !a.scopes)
      .map(([k]) => k)
      .sort();
    expect(sessionOnly).toEqual([
      "DELETE /api/auth/sessions/:id",
      "DELETE /api/backup/guests/:nodeId",
      "DELETE /api/tokens/:id",
      "GET /api/auth/sessions",
      "GET /api/backup",
      "GET /api/backup/download",
      "GET /api/backup/guests",
      "GET /api/backup/sets",
      "GET /api/backup/sets/:name/files",
      "GET /api/identity/phrase",
      "GET /api/tokens",
      "POST /api/auth/logout",
      "POST /api/backup/run",
      "POST /api/backup/sets/:name/restore",
      "POST /api/identity/phrase/confirm",
      "POST /api/tokens",
      "PUT /api/backup/guests/:nodeId",
      "PUT /api/terminal/settings",
      "terminal.attach",
      "terminal.close",
      "terminal.input",
      "terminal.list",
      "terminal.open",
      "terminal.resize",
    ]);
  });

  test("a files:read token cannot list or revoke browser sessions (unscoped routes refuse every token)", async () => {
    const t = await startTestNode();
    try {
      const f = httpFetcher(t.url);
      const owner = await claimOwner(f, t.started.setup.code!);
      const created = await f("/api/tokens", json({ name: "reader", scopes: ["files:read"] }, owner.bearer));
      const reader = { authorization: `Bearer ${(await created.json()).token}` };
      const sessions = await f("/api/auth/sessions", { headers: reader });
      expect([sessions.status, (await sessions.json()).code]).toEqual([403, "session_required"]);
      const revoke = await f(`/api/auth/sessions/whatever`, { method: "DELETE", headers: reader });
      expect([revoke.status, (await revoke.json()).code]).toEqual([403, "session_required"]);
      expect((await f("/whoami", { headers: reader })).status).toBe(200);
      expect((await f("/api/auth/sessions", { headers: owner.bearer })).status).toBe(200); // the session itself may
    } finally {
      await t.stop();
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
