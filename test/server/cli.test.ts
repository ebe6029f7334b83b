import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, spawnNode } from "../helpers/spawned-node.ts";
import { makeTempDir } from "../helpers/temp-dir.ts";

const ABANDON = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const ABANDON_ID = "9KpSGdLsiV8Ks2T3nD1AeCx3fh9bnUxUqFFHNUKsE49x";

async function withDir(fn: (dir: string) => Promise<void>) {
  const d = makeTempDir();
  try {
    await fn(d.path);
  } finally {
    d.remove();
  }
}

describe("pc2 CLI", () => {
  test("invalid configuration exits 2 and lists every problem", async () => {
    const r = await runCli(["start"], { PC2_PORT: "99999", PC2_LOG_LEVEL: "chatty", PC2_HOST: "a b" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Invalid configuration");
    for (const name of ["PC2_PORT", "PC2_LOG_LEVEL", "PC2_HOST"]) expect(r.stderr).toContain(name);
  });

  test("unknown commands and options exit 2 with usage", async () => {
    expect((await runCli(["launch"], {})).code).toBe(2);
    const r = await runCli(["identity", "show", "--bogus"], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Usage: pc2");
  });

  test("version and help", async () => {
    expect((await runCli(["version"], {})).stdout.trim()).toBe("0.1.0");
    const help = await runCli(["help"], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("PC2_DATA_DIR");
  });

  test("identity show before and after the first start", () =>
    withDir(async (dir) => {
      const before = await runCli(["identity", "show"], { PC2_DATA_DIR: dir });
      expect(before.code).toBe(1);
      expect(before.stderr).toContain("no identity yet");
      const n = await spawnNode({ PC2_DATA_DIR: dir });
      await n.stop();
      const shown = await runCli(["identity", "show", "--json"], { PC2_DATA_DIR: dir });
      expect(shown.code).toBe(0);
      const facts = JSON.parse(shown.stdout);
      expect(facts.did).toBe(`did:boson:${facts.nodeId}`);
      expect(facts.recoveryPhraseConfirmed).toBe(false);
      expect(shown.stdout).not.toContain("secretKey");
    }));

  test("identity recover: phrase on stdin rebuilds the same Node ID on a new machine", () =>
    withDir(async (dir) => {
      const r = await runCli(["identity", "recover"], { PC2_DATA_DIR: dir }, ABANDON + "\n");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(ABANDON_ID);
      const record = JSON.parse(readFileSync(join(dir, "identity", "identity.json"), "utf8"));
      expect(record.nodeId).toBe(ABANDON_ID);
      expect(record.mnemonic).toBeUndefined();
      // And the node then starts with it.
      const n = await spawnNode({ PC2_DATA_DIR: dir });
      const info = await (await fetch(`${n.url}/api/info`)).json();
      await n.stop();
      expect(info.nodeId).toBe(ABANDON_ID);
    }));

  test("identity recover refuses to overwrite a different identity without --force", () =>
    withDir(async (dir) => {
      const n = await spawnNode({ PC2_DATA_DIR: dir });
      await n.stop();
      const original = JSON.parse(readFileSync(join(dir, "identity", "identity.json"), "utf8")).nodeId;
      const refused = await runCli(["identity", "recover"], { PC2_DATA_DIR: dir }, ABANDON);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("--force");
      expect(JSON.parse(readFileSync(join(dir, "identity", "identity.json"), "utf8")).nodeId).toBe(original);
      const forced = await runCli(["identity", "recover", "--force"], { PC2_DATA_DIR: dir }, ABANDON);
      expect(forced.code).toBe(0);
      expect(forced.stdout).toContain(`Replaced identity ${original}`);
    }));

  test("identity recover rejects bad phrases with a clear message", () =>
    withDir(async (dir) => {
      const cases: [string, string][] = [
        [ABANDON.replace(/about$/, "abandon"), "checksum"],
        ["abandon abandon", "12 words"],
        [ABANDON.replace("abandon", "abandonx"), 'Word 1 ("abandonx")'],
      ];
      for (const [phrase, message] of cases) {
        const r = await runCli(["identity", "recover"], { PC2_DATA_DIR: dir }, phrase);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(message);
      }
    }));

  test("identity recover refuses while the node is running on that data directory", () =>
    withDir(async (dir) => {
      const n = await spawnNode({ PC2_DATA_DIR: dir });
      const r = await runCli(["identity", "recover", "--force"], { PC2_DATA_DIR: dir }, ABANDON);
      await n.stop();
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("in use by another PC2 process");
    }));
});
