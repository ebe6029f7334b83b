// What a backup's database copy holds of sign-ins: nothing. Sessions, sign-in nonces and uploads in
// progress are left out — not only their rows but their bytes (a deleted row stays in a page's free
// space until the page is rewritten) — and a node where only they changed copies the same bytes, so
// its next backup reuses the copy instead of sending it again. Small files' bytes, which the node
// keeps in its database, leave the copy too: each is an object of its own.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { takeSnapshot } from "../../../server/backup/snapshot.ts";
import { INLINE_MAX_BYTES } from "../../../server/services/files/inline-blobs.ts";
import { filesClient } from "../../helpers/files-client.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { challenge, claimOwner, httpFetcher, newWallet, type SignedIn } from "../../helpers/wallet-auth.ts";

const work = makeTempDir();
const dataDir = join(work.path, "node");
let t: TestNode;
let owner: SignedIn;

beforeAll(async () => {
  t = await startTestNode({ dataDir });
  owner = await claimOwner(httpFetcher(t.url), t.started.setup.code!);
}, 30_000);
afterAll(async () => {
  await t?.stop();
  work.remove();
});

const sha256Hex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** The bytes of a snapshot's database copy. */
function databaseCopy(): Buffer {
  const snapshot = takeSnapshot({ db: t.node.ctx.db, dataDir, tmpDir: join(dataDir, "tmp"), holdRemovals: () => () => undefined });
  try {
    const copy = snapshot.objects.find((o) => o.path === "pc2.db")!;
    if (!("source" in copy)) throw new Error("the database copy is not a file");
    return readFileSync(copy.source);
  } finally {
    snapshot.release();
  }
}

test("no session, nonce or upload in progress is in the copy, as a row or as leftover bytes", async () => {
  const f = httpFetcher(t.url);
  const pending = await challenge(f, newWallet().address);
  const upload = await f("/api/files/uploads", {
    method: "POST",
    headers: { ...owner.bearer, "content-type": "application/json" },
    body: JSON.stringify({ path: "~/Documents/half-sent-secret-plans.bin", size: 1000 }),
  });
  expect(upload.status).toBe(201);
  const db = t.node.ctx.db;
  const tokenHash = db.query<{ token_hash: string }, []>("SELECT token_hash FROM sessions").get()!.token_hash;
  expect(db.query("SELECT count(*) AS n FROM uploads").get()).toEqual({ n: 1 });

  const bytes = databaseCopy();
  for (const secret of [tokenHash, pending.nonce, "half-sent-secret-plans"]) expect(bytes.includes(Buffer.from(secret))).toBe(false);
  // The rest is there: the Owner.
  expect(bytes.includes(Buffer.from(owner.address))).toBe(true);
});

test("the copy is the same bytes when only sessions and nonces changed", async () => {
  const before = sha256Hex(databaseCopy());
  // What later requests do: a session seen again (from another address), a new challenge.
  t.node.ctx.db.query("UPDATE sessions SET last_seen_at = last_seen_at + 600000, ip = '192.0.2.7'").run();
  await challenge(httpFetcher(t.url), newWallet().address);
  expect(sha256Hex(databaseCopy())).toBe(before);
});

test("small files' bytes (kept in the database) are objects of their own, under a blob file's path, and not in the copy; a file's bytes are read from its file", async () => {
  const f = httpFetcher(t.url);
  const marker = `small-file-marker-${crypto.randomUUID()}`;
  const small = await filesClient(f, owner).write("~/Documents", "small.txt", marker);
  const large = await filesClient(f, owner).write("~/Documents", "large.bin", new Uint8Array(INLINE_MAX_BYTES + 1).fill(5));
  expect([small.status, large.status]).toEqual([200, 200]);
  const blobOf = (uid: string) => t.node.ctx.db.query<{ blob: string }, [string]>("SELECT blob FROM fs_entries WHERE uid = ?").get(uid)!.blob;
  const [smallBlob, largeBlob] = [blobOf(small.body.uid), blobOf(large.body.uid)];
  const snapshot = takeSnapshot({ db: t.node.ctx.db, dataDir, tmpDir: join(dataDir, "tmp"), holdRemovals: () => t.node.services.blobs.holdRemovals() });
  try {
    const smallObject = snapshot.objects.find((o) => o.path === `files/${owner.address}/${smallBlob.slice(0, 2)}/${smallBlob}`);
    if (!smallObject || !("bytes" in smallObject)) throw new Error("the small file is not an object of bytes");
    expect(smallObject.size).toBe(marker.length);
    expect(new TextDecoder().decode(smallObject.bytes())).toBe(marker);
    expect(snapshot.objects.find((o) => o.path.endsWith(`/${largeBlob}`))).toEqual({
      path: `files/${owner.address}/${largeBlob.slice(0, 2)}/${largeBlob}`,
      source: join(dataDir, "files", owner.address, largeBlob.slice(0, 2), largeBlob),
    });
    const copy = snapshot.objects.find((o) => o.path === "pc2.db")!;
    if (!("source" in copy)) throw new Error("the database copy is not a file");
    expect(readFileSync(copy.source).includes(Buffer.from(marker))).toBe(false);
    // Deleted while the backup runs: its bytes stay until the snapshot is released.
    t.node.services.trash.delete(owner.address, [{ uid: small.body.uid }]);
    t.node.services.trash.delete(owner.address, [{ uid: small.body.uid }]);
    expect(new TextDecoder().decode(smallObject.bytes())).toBe(marker);
  } finally {
    snapshot.release();
  }
  expect(t.node.services.blobs.source(owner.address, smallBlob)).toBeNull();
});
