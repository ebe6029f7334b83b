// A backup of a live node into a folder, then a restore onto "a new machine" from the folder and
// the 12 words alone: 1,000 files across three wallets (small: kept in the database, each backed up
// as an object of its own and put back in the database by the restore), the same Node ID, users and roles, every
// file byte for byte with the same CID, the AI conversations, and the restored node passes its
// storage check. A second backup of the unchanged node adds almost
// nothing; a restore into a data dir that is not empty is refused; a damaged chunk stops a restore
// before anything becomes a data dir.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { backupKeysFromPhrase, backupKeysOf } from "../../../server/backup/backup-keys.ts";
import { RestoreRefused, restoreBackup } from "../../../server/backup/backup-restore.ts";
import { writeBackup } from "../../../server/backup/backup-writer.ts";
import { FolderDestination } from "../../../server/backup/folder-destination.ts";
import { BackupIntegrityError } from "../../../server/backup/sealed-chunks.ts";
import { takeSnapshot } from "../../../server/backup/snapshot.ts";
import { AiRepository } from "../../../server/services/ai/ai.repository.ts";
import { backupNode, folderDestination } from "../../../server/backup/node-backup.ts";
import { filesClient } from "../../helpers/files-client.ts";
import { runCli } from "../../helpers/spawned-node.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { addUser, claimOwner, type Fetcher, httpFetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

const work = makeTempDir();
const dataDir = join(work.path, "node");
const usb = join(work.path, "usb");
let t: TestNode;
let f: Fetcher;
let wallets: SignedIn[];
let phrase: string;
/** 334 × 3 wallets + one larger file: 1,003 files. */
const FILES_PER_WALLET = 334;
/** One conversation per wallet, written as the AI service stores them. */
const conversations: { owner: SignedIn; id: string; messages: string[] }[] = [];
const written = new Map<string, { owner: SignedIn; path: string; bytes: Uint8Array; cid: string }>();

async function backupNow(now: Date) {
  const identity = JSON.parse(readFileSync(join(dataDir, "identity", "identity.json"), "utf8"));
  const secret = new Uint8Array(Buffer.from(identity.secretKey, "hex"));
  const snapshot = takeSnapshot({ db: t.node.ctx.db, dataDir, tmpDir: join(dataDir, "tmp"), holdRemovals: () => t.node.services.blobs.holdRemovals() });
  try {
    return await writeBackup({ snapshot, keys: await backupKeysOf(secret), nodeId: identity.nodeId, nodeSecretKey: secret, destination: new FolderDestination(usb, identity.nodeId), now });
  } finally {
    snapshot.release();
  }
}

beforeAll(async () => {
  t = await startTestNode({ dataDir });
  f = httpFetcher(t.url);
  const owner = await claimOwner(f, t.started.setup.code!);
  phrase = (await (await f("/api/identity/phrase", { headers: owner.bearer })).json()).words.join(" ");
  wallets = [owner, await addUser(f, owner, "admin"), await addUser(f, owner, "member")];
  for (const [w, who] of wallets.entries()) {
    const fc = filesClient(f, who);
    for (let i = 0; i < FILES_PER_WALLET; i++) {
      const bytes = new Uint8Array(100 + (i % 40) * 997 + w * 13 + i).map((_, k) => (k * (i + 3) + w) & 0xff);
      const r = await fc.write("~/Documents", `f${i}.bin`, bytes);
      expect(r.status).toBe(200);
      written.set(`${w}/${i}`, { owner: who, path: `~/Documents/f${i}.bin`, bytes, cid: r.body.cid });
    }
  }
  const ai = new AiRepository(t.node.ctx.db);
  for (const [w, who] of wallets.entries()) {
    const id = `conv-${w}-${Date.now()}`;
    ai.insertConversation({ id, owner: who.address, title: `Plans ${w}`, model: "tiny", created_at: Date.now(), updated_at: Date.now() });
    const messages = [`question ${w}`, `answer ${w}`];
    messages.forEach((content, k) =>
      ai.addMessage({ conversation_id: id, role: k ? "assistant" : "user", content, attachments: "[]", model: k ? "tiny" : null, stop_reason: k ? "stop" : null, created_at: Date.now() + k }, "tiny"),
    );
    conversations.push({ owner: who, id, messages });
  }
  // One larger file, several 4 MiB pieces (and most of the bytes: a node's database is small beside its files).
  const big = new Uint8Array(randomBytes(32 * 1024 * 1024));
  const r = await filesClient(f, wallets[0]!).write("~", "big.bin", big);
  written.set("big", { owner: wallets[0]!, path: "~/big.bin", bytes: big, cid: r.body.cid });
  // Small files' pins are made just after their answers (owed-pins.ts), each removing its owed row:
  // wait for them, or the second backup finds a changed database and copies it whole.
  await t.node.services.pins.settled();
}, 120_000);

afterAll(async () => {
  await t?.stop();
  work.remove();
});

test("backup → restore on a new machine with the phrase alone: same Node ID, users, roles, bytes and CIDs", async () => {
  const first = await backupNow(new Date("2026-12-04T05:00:00Z"));
  expect(written.size).toBeGreaterThanOrEqual(1_000);
  expect(first.objects).toBeGreaterThanOrEqual(written.size + 2); // the files, the database, the identity…
  // The folder holds only sealed chunks and manifests: no file's bytes, no file name.
  const needle = Buffer.from(written.get("1/7")!.bytes.subarray(0, 64));
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const b = readFileSync(p);
        if (b.includes(needle) || b.includes(Buffer.from("f7.bin"))) found.push(p);
      }
    }
  };
  walk(usb);
  expect(found).toEqual([]);

  const second = await backupNode({
    db: t.node.ctx.db,
    dataDir,
    nodeId: t.started.identity.nodeId,
    nodeSecretKey: t.node.services.identity.secretKey(),
    holdRemovals: () => t.node.services.blobs.holdRemovals(),
    destination: folderDestination(usb, t.started.identity.nodeId),
    now: new Date("2026-12-04T06:00:00Z"),
  });
  // Every file blob came from the first set's manifest without being read again.
  expect(second.objectsReused).toBeGreaterThanOrEqual(written.size);
  // Unchanged node: only the database copy and the manifest are new — under 1% of the first.
  expect(second.bytesWritten).toBeLessThan(first.bytesWritten * 0.01);

  // A new machine: the phrase and the folder.
  const keys = await backupKeysFromPhrase(phrase);
  const restored = join(work.path, "restored");
  const r = await restoreBackup({ destination: new FolderDestination(usb, keys.nodeId), keys, targetDir: restored });
  expect(r.set).toBe(second.set);
  // The small files (all but big.bin: kept in the database) went back into the restored database;
  // no file of theirs is left on the disk, and big.bin is a file of its own.
  const restoredDb = new Database(join(restored, "pc2.db"), { readonly: true });
  expect(restoredDb.query("SELECT count(*) AS n FROM inline_blobs").get()).toEqual({ n: written.size - 1 });
  restoredDb.close();
  const blobFiles = readdirSync(join(restored, "files"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  expect(blobFiles.map((e) => e.name)).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)]);
  expect(readdirSync(join(restored, "files"), { recursive: true }).some((p) => /(^|\/)i/.test(String(p)))).toBe(false);
  // The IPFS blockstore is derived data, not in the backup: the storage check re-imports and re-pins.
  const repaired = await runCli(["storage", "check", "--repair"], { PC2_DATA_DIR: restored });
  expect(repaired.code).toBe(0);
  const check = await runCli(["storage", "check", "--json"], { PC2_DATA_DIR: restored });
  expect([check.code, check.stderr]).toEqual([0, ""]);
  const node2 = await startTestNode({ dataDir: restored });
  try {
    expect(node2.started.identity.nodeId).toBe(t.started.identity.nodeId);
    const f2 = httpFetcher(node2.url);
    // Sessions are not restored: each wallet signs in again, with its role.
    const roles: string[] = [];
    for (const w of wallets) {
      const res = await f2("/api/auth/challenge", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ address: w.wallet.address }) });
      const { message } = await res.json();
      const login = await (
        await f2("/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message, signature: await w.wallet.signMessage(message) }) })
      ).json();
      roles.push(login.user.role);
      w.bearer = { authorization: `Bearer ${login.token}` };
    }
    expect(roles).toEqual(["owner", "admin", "member"]);
    for (const file of written.values()) {
      const back = await filesClient(f2, file.owner).read(file.path);
      expect(back.status).toBe(200);
      expect(Buffer.from(back.bytes).equals(Buffer.from(file.bytes))).toBe(true);
      expect(back.headers.get("etag")?.replaceAll('"', "")).toBe(file.cid);
    }
    // The AI conversations, each in its own wallet.
    for (const c of conversations) {
      const opened = await (await f2(`/api/ai/conversations/${c.id}`, { headers: c.owner.bearer })).json();
      expect(opened.messages.map((m: { content: string }) => m.content)).toEqual(c.messages);
    }
    // Pinned again under the same CID: the IPFS route serves it to its owner.
    const big = written.get("big")!;
    const viaIpfs = await f2(`/ipfs/${big.cid}`, { headers: big.owner.bearer });
    expect(viaIpfs.status).toBe(200);
    expect(Buffer.from(await viaIpfs.arrayBuffer()).equals(Buffer.from(big.bytes))).toBe(true);
  } finally {
    await node2.node.stop("test finished");
  }
}, 120_000);

test("a restore into a data dir that is not empty is refused; a damaged chunk stops a restore and leaves nothing", async () => {
  const keys = await backupKeysFromPhrase(phrase);
  const dest = new FolderDestination(usb, keys.nodeId);
  await expect(restoreBackup({ destination: dest, keys, targetDir: dataDir })).rejects.toBeInstanceOf(RestoreRefused);
  // Flip one bit in one chunk.
  const [victim] = await dest.listChunks();
  const path = join(usb, "pc2-backup", keys.nodeId, "chunks", victim!.slice(0, 2), `${victim}.age`);
  const bytes = readFileSync(path);
  bytes[bytes.length - 20]! ^= 1;
  writeFileSync(path, bytes);
  const target = join(work.path, "restored-damaged");
  await expect(restoreBackup({ destination: dest, keys, targetDir: target })).rejects.toBeInstanceOf(BackupIntegrityError);
  expect(existsSync(target)).toBe(false);
  expect(readdirSync(work.path).some((n) => n.startsWith("restored-damaged.restoring-"))).toBe(false);
}, 60_000);
