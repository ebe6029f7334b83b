// `pc2 network status` and `pc2 network lookup` ask the running node over its control socket
// (data/pc2.sock, 0600): they work only for the machine's operator, and say so when no node runs.
import { expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { KeyPair } from "../../server/boson/keys.ts";
import { runCli, spawnNode } from "../helpers/spawned-node.ts";
import { makeTempDir } from "../helpers/temp-dir.ts";
import { claimOwner, httpFetcher, json } from "../helpers/wallet-auth.ts";

const SETUP = "network-cli-setup-code";

test("status and lookup from the CLI, off and on; no node running is a clear error", async () => {
  const dir = makeTempDir();
  const env = { PC2_DATA_DIR: dir.path };
  try {
    const node = await spawnNode({ ...env, PC2_SETUP_CODE: SETUP, PC2_NETWORK_DEVELOPMENT_MODE: "true" });
    try {
      const socket = join(dir.path, "pc2.sock");
      expect(statSync(socket).mode & 0o777).toBe(0o600);
      const off = await runCli(["network", "status", "--json"], env);
      expect(off.code).toBe(0);
      expect(JSON.parse(off.stdout)).toMatchObject({ enabled: false, state: "off" });
      const refused = await runCli(["network", "lookup", KeyPair.random().id.toString()], env);
      expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining("network_off")]);
      expect((await runCli(["network", "lookup", "nonsense"], env)).stderr).toContain("invalid_node_id");

      const owner = await claimOwner(httpFetcher(node.url), SETUP);
      expect((await fetch(`${node.url}/api/network/settings`, { ...json({ enabled: true }, owner.bearer), method: "PUT" })).status).toBe(200);
      const on = await runCli(["network", "status"], env);
      expect(on.code).toBe(0);
      expect(on.stdout).toContain("Networking:  on");
      expect(on.stdout).toMatch(/UDP port: {4}\d+/);
      const lookup = await runCli(["network", "lookup", KeyPair.random().id.toDid()], env);
      expect([lookup.code, lookup.stdout]).toEqual([0, expect.stringContaining("not found on the network")]);
    } finally {
      await node.stop();
    }
    expect(existsSync(join(dir.path, "pc2.sock"))).toBe(false);
    const none = await runCli(["network", "status"], env);
    expect([none.code, none.stderr]).toEqual([1, expect.stringContaining("no node is running")]);
  } finally {
    dir.remove();
  }
}, 60_000);
