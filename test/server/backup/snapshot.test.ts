// What a backup's database copy holds of sign-ins: nothing. Sessions, sign-in nonces and uploads in
// progress are left out — not only their rows but their bytes (a deleted row stays in a page's free
// space until the page is rewritten) — and a node where only they changed copies the same bytes, so
// its next backup reuses the copy instead of sending it again.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { takeSnapshot } from "../../../server/backup/snapshot.ts";
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
