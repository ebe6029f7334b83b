import { describe, expect, test } from "bun:test";
import { WS_CLOSE } from "../../../server/http/ws-protocol.ts";
import { Pc2WsClient } from "../../../web/api/ws-client.ts";
import { runCli, spawnNode } from "../../helpers/spawned-node.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { addUser, claimOwner, httpFetcher, newWallet, signIn } from "../../helpers/wallet-auth.ts";

describe("pc2 owner reset", () => {
  test("while the node runs: the old Owner is out at once (sockets closed at the next heartbeat), the new code claims", async () => {
    const dir = makeTempDir();
    try {
      const n = await spawnNode({ PC2_DATA_DIR: dir.path, PC2_WS_HEARTBEAT_MS: "200" });
      const f = httpFetcher(n.url);
      const oldOwner = await claimOwner(f, /Setup code: (\S+)/.exec(n.stdout())![1]!);
      const admin = await addUser(f, oldOwner, "admin");
      const ws = await Pc2WsClient.connect(n.url.replace("http", "ws") + "/ws", { headers: oldOwner.bearer });
      const closed = new Promise<number>((r) => ws.onClose((c) => r(c)));

      const r = await runCli(["owner", "reset"], { PC2_DATA_DIR: dir.path });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Removed Owner ${oldOwner.address}`);
      const code = /New setup code: (\S+)/.exec(r.stdout)![1]!;

      expect((await f("/whoami", { headers: oldOwner.bearer })).status).toBe(401);
      expect(await closed).toBe(WS_CLOSE.sessionEnded);
      expect((await signIn(f, oldOwner.wallet).catch((e) => e)).body.code).toBe("setup_code_required");
      expect((await (await f("/whoami", { headers: admin.bearer })).json()).role).toBe("admin"); // others keep their roles

      const newOwner = await claimOwner(f, code);
      expect(newOwner.role).toBe("owner");
      await n.stop();
    } finally {
      dir.remove();
    }
  });

  test("while stopped: the printed code survives the restart (the banner does not replace it)", async () => {
    const dir = makeTempDir();
    try {
      const first = await spawnNode({ PC2_DATA_DIR: dir.path });
      await claimOwner(httpFetcher(first.url), /Setup code: (\S+)/.exec(first.stdout())![1]!);
      await first.stop();

      const r = await runCli(["owner", "reset"], { PC2_DATA_DIR: dir.path });
      const code = /New setup code: (\S+)/.exec(r.stdout)![1]!;
      const second = await spawnNode({ PC2_DATA_DIR: dir.path });
      expect(second.stdout()).toContain("the one `pc2 owner reset` printed");
      const f = httpFetcher(second.url);
      expect((await signIn(f, newWallet(), "WRONG-WRONG-WRONG").catch((e) => e)).body.code).toBe("invalid_setup_code");
      expect((await claimOwner(f, code)).role).toBe("owner");
      await second.stop();
    } finally {
      dir.remove();
    }
  });

  test("refuses without a database", async () => {
    const dir = makeTempDir();
    try {
      const r = await runCli(["owner", "reset"], { PC2_DATA_DIR: dir.path });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("no database");
    } finally {
      dir.remove();
    }
  });
});
