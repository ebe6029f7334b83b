// Retention and pruning: which sets are kept (newest per day, ISO week and month; the newest always),
// and a property test over random sequences of changes, backups and prunes with random policies:
// after every prune each remaining set still verifies chunk by chunk (no chunk a kept set names was
// removed), no chunk is left that no set names, and the newest set always survives.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { backupKeysFromPhrase } from "../../../server/backup/backup-keys.ts";
import { readSet, verifyBackup } from "../../../server/backup/backup-restore.ts";
import { writeBackup } from "../../../server/backup/backup-writer.ts";
import { FolderDestination } from "../../../server/backup/folder-destination.ts";
import { pruneBackups, type RetentionPolicy, setsToKeep } from "../../../server/backup/retention.ts";
import { setNameAt } from "../../../server/backup/destination.ts";
import { keysFromPhrase } from "../../../server/services/identity/node-id.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";

const PHRASE = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const tmp = makeTempDir();
afterAll(() => tmp.remove());

const at = (iso: string) => setNameAt(new Date(iso));

test("kept: the newest of each of the last N days, ISO weeks and months; the newest set always", () => {
  const sets = [
    "2026-11-02T01:00:00Z", // Mon, week 45
    "2026-11-20T01:00:00Z",
    "2026-11-30T01:00:00Z", // Mon, week 49
    "2026-12-01T01:00:00Z",
    "2026-12-01T13:00:00Z",
    "2026-12-02T01:00:00Z",
    "2026-12-03T01:00:00Z",
    "2026-12-03T22:00:00Z",
  ].map(at);
  const keep = (p: RetentionPolicy) => [...setsToKeep(sets, p)].sort();
  expect(keep({ daily: 0, weekly: 0, monthly: 0 })).toEqual([at("2026-12-03T22:00:00Z")]);
  expect(keep({ daily: 3, weekly: 0, monthly: 0 })).toEqual([at("2026-12-01T13:00:00Z"), at("2026-12-02T01:00:00Z"), at("2026-12-03T22:00:00Z")]);
  expect(keep({ daily: 0, weekly: 2, monthly: 0 })).toEqual([at("2026-11-20T01:00:00Z"), at("2026-12-03T22:00:00Z")]);
  expect(keep({ daily: 0, weekly: 0, monthly: 2 })).toEqual([at("2026-11-30T01:00:00Z"), at("2026-12-03T22:00:00Z")]);
  // One per day (six days): 12-01 01:00 and 12-03 01:00 give way to later sets the same day.
  expect(keep({ daily: 100, weekly: 100, monthly: 100 })).toHaveLength(6);
});

test("property: random changes, backups and prunes never lose a chunk a kept set needs, nor leave one nobody needs", async () => {
  const keys = await backupKeysFromPhrase(PHRASE);
  const node = keysFromPhrase(PHRASE);
  let seed = 20261204;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
  for (let run = 0; run < 4; run++) {
    const root = join(tmp.path, `run${run}`);
    const data = join(root, "data");
    mkdirSync(data, { recursive: true });
    const dest = new FolderDestination(join(root, "dest"), node.nodeId);
    const files = new Map<string, Uint8Array>();
    let clock = Date.UTC(2026, 0, 1);
    for (let step = 0; step < 25; step++) {
      // Change some files: rewrite, grow, add, delete.
      for (let k = 0, n = 1 + rand(4); k < n; k++) {
        const name = `f${rand(8)}.bin`;
        if (rand(5) === 0) {
          files.delete(name);
          rmSync(join(data, name), { force: true });
        } else {
          const bytes = new Uint8Array(rand(3000)).map(() => rand(4)); // low entropy: pieces repeat, so chunks are shared
          files.set(name, bytes);
          writeFileSync(join(data, name), bytes);
        }
      }
      clock += (1 + rand(72)) * 3_600_000;
      const snapshot = { objects: [...files.keys()].sort().map((name) => ({ path: `files/${name}`, source: join(data, name) })), release: () => {} };
      await writeBackup({ snapshot, keys, nodeId: node.nodeId, nodeSecretKey: node.secretKey, destination: dest, now: new Date(clock), chunkBytes: 256 });
      if (rand(3) !== 0) continue;
      const newest = (await dest.listSets()).at(-1)!;
      const policy = { daily: rand(4), weekly: rand(3), monthly: rand(3) };
      const chunksBefore = (await dest.listChunks()).length;
      const result = await pruneBackups(dest, keys, policy);
      const remaining = await dest.listSets();
      expect(remaining).toEqual(result.keptSets);
      expect(remaining).toContain(newest);
      const needed = new Set<string>();
      for (const name of remaining) {
        await verifyBackup(dest, keys, name); // throws if any chunk it names is gone or wrong
        for (const obj of (await readSet(dest, keys, name)).manifest.objects) for (const id of obj.chunks) needed.add(id);
      }
      expect(new Set(await dest.listChunks())).toEqual(needed);
      expect(result.deletedChunks).toBe(chunksBefore - needed.size);
    }
  }
}, 120_000);
