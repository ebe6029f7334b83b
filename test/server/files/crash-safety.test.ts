// SIGKILL the node in the middle of many uploads: afterwards nothing partial is visible, index and
// disk agree (after `pc2 storage check --repair` sweeps invisible leftovers), and every write that
// was acknowledged is intact.
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { INLINE_MAX_BYTES } from "../../../server/services/files/inline-blobs.ts";
import { filesClient } from "../../helpers/files-client.ts";
import { runCli, spawnNode } from "../../helpers/spawned-node.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { claimOwner, httpFetcher, signIn } from "../../helpers/wallet-auth.ts";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("crash safety", () => {
  test("SIGKILL during 40 concurrent uploads", async () => {
    const dir = makeTempDir();
    try {
      let n = await spawnNode({ PC2_DATA_DIR: dir.path });
      const owner = await claimOwner(httpFetcher(n.url), /Setup code: (\S+)/.exec(n.stdout())![1]!);
      const fs = filesClient(httpFetcher(n.url), owner);
      const acknowledged = new Map<string, string>(); // name → sha256 of what the node confirmed
      let killed = false;
      const uploads = Array.from({ length: 40 }, (_, i) => {
        // Later files are bigger (up to ~6 MB), so plenty are still in flight when the node dies.
        const bytes = new Uint8Array(50_000 + i * 150_000);
        crypto.getRandomValues(bytes.subarray(0, Math.min(bytes.length, 65536)));
        bytes[bytes.length - 1] = i;
        const name = `u${i}.bin`;
        return fs.write("~/Documents", name, bytes).then(
          (r) => {
            if (r.status !== 200) return;
            // Every confirmed write counts, even one whose answer arrives just after the kill.
            acknowledged.set(name, sha(bytes));
            // Kill the moment the fifth write is confirmed: no polling gap in which all could finish.
            if (acknowledged.size === 5 && !killed) {
              killed = true;
              n.proc.kill("SIGKILL");
            }
          },
          () => undefined,
        );
      });
      await Promise.allSettled(uploads);
      await n.proc.exited;
      expect(killed).toBe(true);
      expect(acknowledged.size).toBeGreaterThanOrEqual(5);
      expect(acknowledged.size).toBeLessThan(40);

      // Leftovers are invisible; the check finds and clears them, and then all agree.
      const repaired = await runCli(["storage", "check", "--repair", "--json"], { PC2_DATA_DIR: dir.path });
      expect(repaired.code).toBe(0);
      const report = JSON.parse(repaired.stdout);
      expect(report.missingBlobs).toEqual([]);
      expect(report.sizeMismatches).toEqual([]);
      // --deep: and IPFS gives every file back whole, its leaves read from the files themselves.
      const clean = JSON.parse((await runCli(["storage", "check", "--deep", "--json"], { PC2_DATA_DIR: dir.path })).stdout);
      for (const k of ["missingBlobs", "sizeMismatches", "cidMismatches", "unpinned", "orphanBlobs", "orphanPins", "tempFiles", "unreadable"]) expect(clean[k]).toEqual([]);

      n = await spawnNode({ PC2_DATA_DIR: dir.path });
      const again = filesClient(httpFetcher(n.url), await signIn(httpFetcher(n.url), owner.wallet));
      const listed = (await again.post("/readdir", { path: "~/Documents" })).body as { name: string; size: number }[];
      for (const [name, hash] of acknowledged) {
        const back = await again.read(`~/Documents/${name}`);
        expect(back.status).toBe(200);
        expect(sha(back.bytes)).toBe(hash);
      }
      // Whatever is listed is whole: its bytes are all there.
      for (const e of listed) expect((await again.read(`~/Documents/${e.name}`)).bytes.length).toBe(e.size);
      expect(await n.stop()).toBe(0);
    } finally {
      dir.remove();
    }
  }, 120_000);
});

describe("pc2 storage check", () => {
  test("finds and repairs a missing blob (a file's, and a small file's kept in the database), an orphan blob and an orphan pin", async () => {
    const dir = makeTempDir();
    try {
      const n = await spawnNode({ PC2_DATA_DIR: dir.path });
      const owner = await claimOwner(httpFetcher(n.url), /Setup code: (\S+)/.exec(n.stdout())![1]!);
      const fs = filesClient(httpFetcher(n.url), owner);
      // Files of their own (too large to be kept inline), and small ones kept in the database.
      const large = (text: string) => text.padEnd(INLINE_MAX_BYTES + 1, ".");
      await fs.write("~/Documents", "keep.txt", large("keep"));
      const lost = await fs.write("~/Documents", "lost.txt", large("lost"));
      await fs.write("~/Documents", "keep-small.txt", "keep small");
      const lostSmall = await fs.write("~/Documents", "lost-small.txt", "lost small");
      expect(await n.stop()).toBe(0);
      const { readdirSync, rmSync, writeFileSync } = await import("node:fs");
      const { join } = await import("node:path");
      // Lose one blob, and plant a stray one.
      const ownerDir = join(dir.path, "files", owner.address);
      const { Database } = await import("bun:sqlite");
      const db = new Database(join(dir.path, "pc2.db"));
      const blob = db.query<{ blob: string }, [string]>("SELECT blob FROM fs_entries WHERE uid = ?").get(lost.body.uid)!.blob;
      db.query("DELETE FROM inline_blobs WHERE blob = (SELECT blob FROM fs_entries WHERE uid = ?)").run(lostSmall.body.uid);
      db.close();
      rmSync(join(ownerDir, blob.slice(0, 2), blob));
      writeFileSync(join(ownerDir, readdirSync(ownerDir)[0]!, "f".repeat(32)), "stray");

      const check = await runCli(["storage", "check", "--json"], { PC2_DATA_DIR: dir.path });
      expect(check.code).toBe(3);
      const report = JSON.parse(check.stdout);
      expect(report.missingBlobs.sort()).toEqual([`${owner.address}/Documents/lost-small.txt`, `${owner.address}/Documents/lost.txt`]);
      expect(report.orphanBlobs).toEqual([`${owner.address}/${"f".repeat(32)}`]);
      expect(report.orphanPins).toEqual([]); // lost.txt's CID is still referenced by its row

      expect((await runCli(["storage", "check", "--repair"], { PC2_DATA_DIR: dir.path })).code).toBe(0);
      const after = JSON.parse((await runCli(["storage", "check", "--json"], { PC2_DATA_DIR: dir.path })).stdout);
      expect(after.missingBlobs).toEqual([]);
      expect(after.orphanBlobs).toEqual([]);
      expect(after.orphanPins).toEqual([]); // the removed row's CID was unpinned by the repair
      expect(after.files).toBe(2);
      // Read back through IPFS: the file's leaves from its blob file, the small file's from the database.
      const deep = await runCli(["storage", "check", "--deep"], { PC2_DATA_DIR: dir.path });
      expect(deep.code).toBe(0);
      expect(deep.stdout).toBe("Checked 2 files.\nIndex, disk and pins agree.\n");
    } finally {
      dir.remove();
    }
  }, 60_000);

  test("refuses while the node is running", async () => {
    const dir = makeTempDir();
    try {
      const n = await spawnNode({ PC2_DATA_DIR: dir.path });
      const r = await runCli(["storage", "check"], { PC2_DATA_DIR: dir.path });
      await n.stop();
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("in use by another PC2 process");
    } finally {
      dir.remove();
    }
  });
});
