// A backup taken while 20 clients upload and delete is one consistent moment: restored, every file
// in its index has its bytes (with the right size and CID) and no bytes are there without a file,
// as the node's own storage check sees it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { backupKeysFromPhrase } from "../../../server/backup/backup-keys.ts";
import { restoreBackup } from "../../../server/backup/backup-restore.ts";
import { FolderDestination } from "../../../server/backup/folder-destination.ts";
import { backupNode, folderDestination } from "../../../server/backup/node-backup.ts";
import { filesClient } from "../../helpers/files-client.ts";
import { runCli } from "../../helpers/spawned-node.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { claimOwner, httpFetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

const work = makeTempDir();
const dataDir = join(work.path, "node");
const usb = join(work.path, "usb");
let t: TestNode;
let owner: SignedIn;
let phrase: string;

beforeAll(async () => {
  t = await startTestNode({ dataDir });
  owner = await claimOwner(httpFetcher(t.url), t.started.setup.code!);
  phrase = (await (await httpFetcher(t.url)("/api/identity/phrase", { headers: owner.bearer })).json()).words.join(" ");
}, 30_000);
afterAll(async () => {
  await t?.stop();
  work.remove();
});

test("backup during 20 writers (uploads, overwrites, deletes): the restored state is whole", async () => {
  const fc = filesClient(httpFetcher(t.url), owner);
  let stop = false;
  let writes = 0;
  const writers = Array.from({ length: 20 }, async (_, w) => {
    // Bounded: a write is a few milliseconds, and a third of them fill the Trash the backups copy.
    for (let i = 0; !stop && i < 60; i++) {
      const name = `w${w}-${i % 5}.bin`;
      const r = await fc.write("~/Documents", name, new Uint8Array(2048 + ((w * 31 + i) % 97) * 64).fill((w + i) & 0xff), { overwrite: "true" });
      if (r.status === 200) writes++;
      if (i % 3 === 2) await fc.post("/delete", { paths: [`~/Documents/w${w}-${(i + 2) % 5}.bin`] });
    }
  });
  await Bun.sleep(300);
  const identity = JSON.parse(readFileSync(join(dataDir, "identity", "identity.json"), "utf8"));
  const backups: string[] = [];
  // Back up again and again while they write, until the writers have done a good amount.
  for (let k = 0; k < 40 && (k < 3 || writes < 150); k++) {
    const s = await backupNode({
      db: t.node.ctx.db,
      dataDir,
      nodeId: identity.nodeId,
      nodeSecretKey: new Uint8Array(Buffer.from(identity.secretKey, "hex")),
      holdRemovals: () => t.node.services.blobs.holdRemovals(),
      destination: folderDestination(usb, identity.nodeId),
      now: new Date(Date.UTC(2026, 11, 4, 5, 0, k)),
    });
    backups.push(s.set);
  }
  stop = true;
  await Promise.all(writers);
  expect(writes).toBeGreaterThanOrEqual(150);

  const keys = await backupKeysFromPhrase(phrase);
  for (const set of [backups[0]!, backups[Math.floor(backups.length / 2)]!, backups.at(-1)!]) {
    const target = join(work.path, `restored-${set}`);
    await restoreBackup({ destination: new FolderDestination(usb, keys.nodeId), keys, setName: set, targetDir: target });
    const check = await runCli(["storage", "check", "--json"], { PC2_DATA_DIR: target });
    const report = JSON.parse(check.stdout);
    // The IPFS blockstore is not in backups (every file is "unpinned" until repaired); nothing else may differ.
    expect({ missing: report.missingBlobs, size: report.sizeMismatches, cid: report.cidMismatches, orphans: report.orphanBlobs, temp: report.tempFiles }).toEqual({
      missing: [],
      size: [],
      cid: [],
      orphans: [],
      temp: [],
    });
    if (set === backups.at(-1)) expect(report.files).toBeGreaterThan(10);
  }
}, 120_000);
