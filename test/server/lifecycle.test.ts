import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { Pc2WsClient } from "../../web/api/ws-client.ts";
import { DataDirLockedError } from "../../server/fs/data-dir-lock.ts";
import { HTTP_ACCESS } from "../../server/http/roles.ts";
import { claimOwner, httpFetcher } from "../helpers/wallet-auth.ts";
import { spawnNode } from "../helpers/spawned-node.ts";
import { createTestNode, startTestNode } from "../helpers/test-node.ts";
import { makeTempDir } from "../helpers/temp-dir.ts";

// Test-only routes, public in the role table while this file runs (the table is shared by every test file).
HTTP_ACCESS["GET /test/slow"] = { role: null };
HTTP_ACCESS["GET /test/hang"] = { role: null };
afterAll(() => {
  delete HTTP_ACCESS["GET /test/slow"];
  delete HTTP_ACCESS["GET /test/hang"];
});

describe("graceful shutdown (in process)", () => {
  test("in-flight requests finish, new connections are refused, sockets get 1001, the database closes", async () => {
    const t = await startTestNode({
      beforeStart: (node) => node.app.get("/test/slow", async () => (await Bun.sleep(400), { done: true })),
    });
    const owner = await claimOwner(httpFetcher(t.url), t.started.setup.code!);
    const ws = await Pc2WsClient.connect(t.wsUrl, { headers: owner.bearer });
    await ws.subscribe(["node"]);
    const stoppingNotice = ws.next("node.stopping");
    const closed = new Promise<[number, string]>((r) => ws.onClose((c, reason) => r([c, reason])));

    const slow = fetch(`${t.url}/test/slow`).then((r) => r.json());
    await Bun.sleep(100);
    const stopped = t.node.stop("test");
    expect(await stoppingNotice).toEqual({ reason: "test" });
    expect(await closed).toEqual([1001, "server shutting down"]);
    expect(await slow).toEqual({ done: true });
    await stopped;
    await expect(fetch(`${t.url}/health`)).rejects.toThrow();
    expect(existsSync(join(t.dataDir, "pc2.db-wal"))).toBe(false);
    expect(existsSync(join(t.dataDir, "pc2.lock"))).toBe(false);
    expect(t.logs.at(-1)?.msg).toBe("stopped");
    await t.stop(); // a second stop is harmless
  });

  test("requests that outlive the shutdown timeout are cut off", async () => {
    const t = await startTestNode({
      env: { PC2_SHUTDOWN_TIMEOUT_MS: "200" },
      beforeStart: (node) => node.app.get("/test/hang", () => Bun.sleep(10_000)),
    });
    const hung = fetch(`${t.url}/test/hang`).catch((e) => e);
    await Bun.sleep(50);
    const started = Date.now();
    await t.stop();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await hung).toBeInstanceOf(Error);
    expect(t.logs.some((l) => l.msg === "in-flight requests did not finish in time; closing them")).toBe(true);
  });
});

describe("data directory", () => {
  test("a second node on the same data directory is refused", async () => {
    const t = await startTestNode();
    expect(() => createTestNode({ dataDir: t.dataDir })).toThrow(DataDirLockedError);
    await t.stop();
  });

  test("identity persists across restarts; a fresh setup code is issued each start until claimed", async () => {
    const dir = makeTempDir();
    try {
      const a = await startTestNode({ dataDir: dir.path });
      await a.node.stop();
      const b = await startTestNode({ dataDir: dir.path });
      expect(b.started.identity).toEqual(a.started.identity);
      expect(b.started.setup.code).not.toBe(a.started.setup.code);
      expect(await b.node.services.setup.verify(a.started.setup.code!)).toBe(false);
      expect(await b.node.services.setup.verify(b.started.setup.code!)).toBe(true);
      await b.node.stop();
    } finally {
      dir.remove();
    }
  });
});

describe("signals (separate process)", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`${signal} stops cleanly with exit code 0`, async () => {
      const dir = makeTempDir();
      try {
        const n = await spawnNode({ PC2_DATA_DIR: dir.path });
        expect((await fetch(`${n.url}/health`)).status).toBe(200);
        expect(await n.stop(signal)).toBe(0);
        expect(n.stdout()).toContain('"msg":"stopped"');
        expect(existsSync(join(dir.path, "pc2.db-wal"))).toBe(false);
        expect(existsSync(join(dir.path, "pc2.lock"))).toBe(false);
        const db = new Database(join(dir.path, "pc2.db"), { readonly: true });
        expect(db.query<{ ok: string }, []>("PRAGMA integrity_check").get()!).toEqual({ integrity_check: "ok" } as never);
        db.close();
      } finally {
        dir.remove();
      }
    });
  }

  test("the banner shows the URL, Node ID and setup code; logs never contain the code or the phrase", async () => {
    const dir = makeTempDir();
    try {
      const n = await spawnNode({ PC2_DATA_DIR: dir.path });
      await n.stop();
      const out = n.stdout();
      const code = /Setup code: (\S+)/.exec(out)![1]!;
      const identity = JSON.parse(readFileSync(join(dir.path, "identity", "identity.json"), "utf8"));
      expect(out).toContain(`Open:      ${n.url}`);
      expect(out).toContain(`Node ID:   ${identity.nodeId}`);
      expect(out).toContain(`did:boson:${identity.nodeId}`);
      const logLines = out.split("\n").filter((l) => l.startsWith("{"));
      expect(logLines.length).toBeGreaterThan(2);
      for (const line of logLines) {
        expect(line).not.toContain(code);
        expect(line).not.toContain(identity.mnemonic.split(" ").slice(0, 3).join(" "));
        expect(line).not.toContain(identity.secretKey);
      }
    } finally {
      dir.remove();
    }
  });

  test("PC2_SETUP_CODE presets the code shown in the banner", async () => {
    const dir = makeTempDir();
    try {
      const n = await spawnNode({ PC2_DATA_DIR: dir.path, PC2_SETUP_CODE: "scripted-install-code" });
      await n.stop();
      expect(n.stdout()).toContain("Setup code: scripted-install-code   (from PC2_SETUP_CODE)");
    } finally {
      dir.remove();
    }
  });
});
