// Every backup destination, tested the same way: a folder, a friend's node (over its signed HTTP
// routes), and a download (the archive streamed from GET /api/backup/download, saved, read back).
// For each: a backup of a live node, verified and restored with the phrase's keys — every object
// byte for byte, the same Node ID — and one flipped bit in a stored chunk is found. The stores that
// take writes also keep the storage contract (names, listing, deletion, refusals).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { backupKeysFromPhrase } from "../../../server/backup/backup-keys.ts";
import { restoreBackup, verifyBackup } from "../../../server/backup/backup-restore.ts";
import { ArchiveFileDestination } from "../../../server/backup/archive-destination.ts";
import type { BackupDestination } from "../../../server/backup/destination.ts";
import { folderDestination, backupNode } from "../../../server/backup/node-backup.ts";
import { PeerDestination } from "../../../server/backup/peer-destination.ts";
import { BackupIntegrityError } from "../../../server/backup/sealed-chunks.ts";
import { filesClient } from "../../helpers/files-client.ts";
import { runCli } from "../../helpers/spawned-node.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { addUser, claimOwner, httpFetcher, json, type SignedIn } from "../../helpers/wallet-auth.ts";

const work = makeTempDir();
let node: TestNode;
let host: TestNode;
let owner: SignedIn;
let phrase = "";
let nodeId = "";

beforeAll(async () => {
  node = await startTestNode();
  const f = httpFetcher(node.url);
  owner = await claimOwner(f, node.started.setup.code!);
  phrase = (await (await f("/api/identity/phrase", { headers: owner.bearer })).json()).words.join(" ");
  nodeId = node.started.identity.nodeId;
  for (let i = 0; i < 12; i++) expect((await filesClient(f, owner).write("~/Documents", `d${i}.bin`, randomBytes(1000 + i * 50_000))).status).toBe(200);
  expect((await filesClient(f, owner).write("~", "big.bin", randomBytes(9 * 1024 * 1024))).status).toBe(200); // three 4 MiB pieces
  // The friend's node that keeps this node's backups.
  host = await startTestNode();
  const hostOwner = await claimOwner(httpFetcher(host.url), host.started.setup.code!);
  const granted = await fetch(`${host.url}/api/backup/guests/${nodeId}`, { ...json({ label: "contract", allowanceBytes: 256 * 1024 * 1024 }, hostOwner.bearer), method: "PUT" });
  expect(granted.status).toBe(200);
}, 60_000);
afterAll(async () => {
  await node?.stop();
  await host?.stop();
  work.remove();
});

interface Kind {
  name: string;
  /** Back the node up to this destination; returns the destination to read the set back from. */
  backUp(): Promise<BackupDestination>;
  /** Flip one bit in one stored chunk. */
  damage(): void;
}

const backupOf = (destination: BackupDestination) =>
  backupNode({
    db: node.node.ctx.db,
    dataDir: node.dataDir,
    nodeId,
    nodeSecretKey: node.node.services.identity.secretKey(),
    holdRemovals: () => node.node.services.blobs.holdRemovals(),
    destination,
  });

function flipInFile(file: string, at = -20): void {
  const b = readFileSync(file);
  b[at < 0 ? b.length + at : at]! ^= 1;
  writeFileSync(file, b);
}

function firstChunkFile(root: string): string {
  const chunks = join(root, "chunks");
  const prefix = readdirSync(chunks)[0]!;
  return join(chunks, prefix, readdirSync(join(chunks, prefix))[0]!);
}

const kinds: Kind[] = [
  {
    name: "a folder",
    async backUp() {
      const d = folderDestination(join(work.path, "usb"), nodeId);
      await backupOf(d);
      return d;
    },
    damage: () => flipInFile(firstChunkFile(join(work.path, "usb", "pc2-backup", nodeId))),
  },
  {
    name: "a friend's node",
    async backUp() {
      const d = await PeerDestination.connect(node.node.services.identity.bosonKeys(), host.started.identity.nodeId, [host.url]);
      await backupOf(d);
      return d;
    },
    damage: () => flipInFile(firstChunkFile(join(host.dataDir, "backup-hosted", "pc2-backup", nodeId))),
  },
  {
    name: "a download",
    async backUp() {
      const res = await fetch(`${node.url}/api/backup/download`, { headers: owner.bearer });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/x-tar");
      expect(res.headers.get("content-disposition")).toMatch(new RegExp(`^attachment; filename="pc2-backup-${nodeId.slice(0, 8)}-\\d{8}T\\d{9}Z\\.tar"$`));
      const file = join(work.path, "download.tar");
      writeFileSync(file, new Uint8Array(await res.arrayBuffer()));
      return new ArchiveFileDestination(file, nodeId);
    },
    damage: () => {
      // The first member is a chunk: flip a bit inside its bytes (after the 512-byte header).
      flipInFile(join(work.path, "download.tar"), 512 + 300);
    },
  },
];

describe.each(kinds)("backing up to $name", (kind) => {
  let destination: BackupDestination;

  test("the set verifies and restores with the phrase's keys: every object, the same Node ID", async () => {
    destination = await kind.backUp();
    const keys = await backupKeysFromPhrase(phrase);
    expect(keys.nodeId).toBe(nodeId);
    const verified = await verifyBackup(destination, keys);
    expect(verified.objects).toBeGreaterThanOrEqual(15); // the database, the identity, 13 files
    const target = join(work.path, `restored-${kind.name.replace(/\W+/g, "-")}`);
    const restored = await restoreBackup({ destination, keys, targetDir: target });
    expect(restored.objects).toBe(verified.objects);
    expect(JSON.parse(readFileSync(join(target, "identity", "identity.json"), "utf8")).nodeId).toBe(nodeId);
    // Every file blob of the node is back, byte for byte.
    const blobs = (dir: string): Map<string, Buffer> => {
      const out = new Map<string, Buffer>();
      const walk = (d: string) => {
        for (const e of readdirSync(d, { withFileTypes: true })) {
          if (e.isDirectory()) walk(join(d, e.name));
          else out.set(join(d, e.name).slice(dir.length), readFileSync(join(d, e.name)));
        }
      };
      walk(dir);
      return out;
    };
    const before = blobs(join(node.dataDir, "files"));
    const after = blobs(join(target, "files"));
    expect([...after.keys()].sort()).toEqual([...before.keys()].filter((k) => !k.includes("/.")).sort());
    for (const [k, v] of after) expect(v.equals(before.get(k)!)).toBe(true);
  }, 60_000);

  test("one flipped bit in a stored chunk is found", async () => {
    kind.damage();
    const keys = await backupKeysFromPhrase(phrase);
    const d = kind.name === "a download" ? new ArchiveFileDestination(join(work.path, "download.tar"), nodeId) : destination;
    await expect(verifyBackup(d, keys)).rejects.toBeInstanceOf(BackupIntegrityError);
  }, 60_000);
});

describe.each(kinds.slice(0, 2))("the storage contract of $name", (kind) => {
  test("chunks and sets by name: stored, listed, read back, deleted; bad names refused", async () => {
    const d: BackupDestination =
      kind.name === "a folder"
        ? folderDestination(join(work.path, "contract"), nodeId)
        : await PeerDestination.connect(node.node.services.identity.bosonKeys(), host.started.identity.nodeId, [host.url]);
    const id = randomBytes(32).toString("hex");
    const bytes = randomBytes(70_000);
    expect(await d.hasChunk(id)).toBe(false);
    await d.putChunk(id, bytes);
    expect(await d.hasChunk(id)).toBe(true);
    expect(await d.listChunks()).toContain(id);
    expect(Buffer.from(await d.getChunk(id)).equals(bytes)).toBe(true);
    await d.putSet("20300101T000000000Z", new Uint8Array([1, 2, 3]));
    await d.putSet("20290101T000000000Z", new Uint8Array([4]));
    const sets = await d.listSets();
    expect(sets.indexOf("20290101T000000000Z")).toBeLessThan(sets.indexOf("20300101T000000000Z"));
    expect([...(await d.getSet("20300101T000000000Z"))]).toEqual([1, 2, 3]);
    await d.deleteSet("20300101T000000000Z");
    await d.deleteSet("20290101T000000000Z");
    await d.deleteChunk(id);
    expect(await d.hasChunk(id)).toBe(false);
    expect(await d.listSets()).not.toContain("20300101T000000000Z");
    for (const bad of ["../../etc/passwd", "ab", id.toUpperCase(), `${id}/x`]) await expect(d.putChunk(bad, bytes)).rejects.toThrow("not a chunk name");
    await expect(d.putSet("latest", bytes)).rejects.toThrow("not a backup set name");
    expect(await d.sweepTemp()).toBeGreaterThanOrEqual(0);
  });
});

describe("the download", () => {
  test("GNU tar lists and extracts it; the extracted folder is a backup folder", async () => {
    const res = await fetch(`${node.url}/api/backup/download`, { headers: owner.bearer });
    const file = join(work.path, "again.tar");
    writeFileSync(file, new Uint8Array(await res.arrayBuffer()));
    const listed = Bun.spawnSync(["tar", "tf", file]);
    expect(listed.exitCode).toBe(0);
    const names = listed.stdout.toString().trim().split("\n");
    expect(names.filter((n) => n.startsWith(`pc2-backup/${nodeId}/sets/`))).toHaveLength(1);
    expect(names.every((n) => new RegExp(`^pc2-backup/${nodeId}/(chunks/[0-9a-f]{2}/[0-9a-f]{64}|sets/\\d{8}T\\d{9}Z)\\.age$`).test(n))).toBe(true);
    const out = join(work.path, "extracted");
    mkdirSync(out);
    expect(Bun.spawnSync(["tar", "xf", file, "-C", out]).exitCode).toBe(0);
    const keys = await backupKeysFromPhrase(phrase);
    expect((await verifyBackup(folderDestination(out, nodeId), keys)).objects).toBeGreaterThanOrEqual(15);
    // And `pc2 backup verify` reads the file itself, on a machine that has only the phrase.
    const cli = await runCli(["backup", "verify", file], { PC2_DATA_DIR: join(work.path, "empty") }, `${phrase}\n`);
    expect([cli.code, cli.stdout]).toEqual([0, expect.stringContaining(`of ${nodeId} is whole`)]);
  }, 60_000);

  test("streamed: downloading 256 MiB of files raises the node's memory by far less than that", async () => {
    const fc = filesClient(httpFetcher(node.url), owner);
    for (let i = 0; i < 4; i++) {
      const big = randomBytes(64 * 1024 * 1024); // nothing in common: no piece is stored twice
      expect((await fc.write("~/Documents", `v${i}.bin`, big)).status).toBe(200);
    }
    Bun.gc(true);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    let bytes = 0;
    try {
      const res = await fetch(`${node.url}/api/backup/download`, { headers: owner.bearer });
      const reader = res.body!.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.length;
    } finally {
      clearInterval(sampler);
    }
    expect(bytes).toBeGreaterThan(256 * 1024 * 1024);
    console.log(`download of ${Math.round(bytes / 1024 / 1024)} MiB: RSS +${Math.round((peak - before) / 1024 / 1024)} MiB at the peak`);
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
  }, 120_000);

  test("only the Owner; one at a time; a download cut off frees the turn and is never a whole archive", async () => {
    const f = httpFetcher(node.url);
    const admin = await addUser(f, owner, "admin");
    expect((await fetch(`${node.url}/api/backup/download`, { headers: admin.bearer })).status).toBe(403);
    // Read a little, then go away.
    const controller = new AbortController();
    const res = await fetch(`${node.url}/api/backup/download`, { headers: owner.bearer, signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    const second = await fetch(`${node.url}/api/backup/download`, { headers: owner.bearer });
    expect([second.status, (await second.json()).code]).toEqual([409, "backup_running"]);
    controller.abort();
    await reader.cancel().catch(() => {});
    const deadline = Date.now() + 15_000;
    while (node.node.services.backup.status().running && Date.now() < deadline) await Bun.sleep(50);
    expect(node.node.services.backup.status().running).toBe(false);
    expect(node.logs.some((l) => l.msg === "backup download cut off")).toBe(true);
    const audit = await (await f("/api/audit?action=backup.download", { headers: owner.bearer })).json();
    expect(audit.entries.length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  test("a cut archive is refused, with nothing restored", async () => {
    const whole = readFileSync(join(work.path, "again.tar"));
    const cut = join(work.path, "cut.tar");
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const keys = await backupKeysFromPhrase(phrase);
    const restoreFrom = async (file: string, k = keys) => restoreBackup({ destination: new ArchiveFileDestination(file, k.nodeId), keys: k, targetDir: join(work.path, "nothing") });
    await expect(restoreFrom(cut)).rejects.toThrow(/cut short|no backup of/);
    // An archive of another node: no set of this node in it.
    const other = await backupKeysFromPhrase("legal winner thank year wave sausage worth useful legal winner thank yellow");
    await expect(restoreFrom(join(work.path, "again.tar"), other)).rejects.toThrow("no backup of");
    expect(existsSync(join(work.path, "nothing"))).toBe(false);
  });
});
