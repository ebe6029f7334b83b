// The quota as a write sees it: an overwrite counts the bytes it replaces as free (when the body
// starts and again at commit), and two writes that each fit but not together cannot both land —
// the commit re-checks what the start of the body allowed.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { filesClient } from "../../helpers/files-client.ts";
import { sendJson } from "../../helpers/send-json.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { httpFetcher, ownerAdminMember, type SignedIn } from "../../helpers/wallet-auth.ts";

const KiB = 1024;
let t: TestNode;
let owner: SignedIn;
let admin: SignedIn;

beforeAll(async () => {
  t = await startTestNode();
  ({ owner, admin } = await ownerAdminMember(httpFetcher(t.url), t.started.setup.code!));
});
afterAll(() => t.stop());

const setQuota = async (bytes: number | null) => expect((await sendJson(t.url, owner, "PUT", `/api/files/quotas/${admin.address}`, { bytes })).status).toBe(200);
const used = async () => (await sendJson(t.url, admin, "GET", "/api/files/quota")).body.used as number;

test("overwriting a file near the quota counts the bytes it replaces as free; a new name of the same size does not fit", async () => {
  const fs = filesClient(httpFetcher(t.url), admin);
  const base = await used();
  await setQuota(base + 1000);
  try {
    expect((await fs.write("~/Documents", "near.bin", new Uint8Array(600))).status).toBe(200);
    // 600 used, 400 free: 700 bytes fit only over the 600 they replace (1000 exactly, then 900).
    expect((await fs.write("~/Documents", "near.bin", new Uint8Array(1000), { overwrite: "true" })).status).toBe(200);
    expect((await fs.write("~/Documents", "near.bin", new Uint8Array(900), { overwrite: "true" })).status).toBe(200);
    expect(await used()).toBe(base + 900);
    const other = await fs.write("~/Documents", "other.bin", new Uint8Array(700));
    expect([other.status, other.body.code, other.body.available]).toEqual([413, "storage_quota_exceeded", 100]);
    // One byte past the quota, even over the file it replaces.
    const over = await fs.write("~/Documents", "near.bin", new Uint8Array(1001), { overwrite: "true" });
    expect([over.status, over.body.code]).toEqual([413, "storage_quota_exceeded"]);
    expect(await used()).toBe(base + 900);
  } finally {
    await setQuota(null);
  }
});

/** A multipart /write whose file part is sent now and finished only when `finish` is called. */
function heldWrite(name: string, bytes: number) {
  const boundary = `held-${crypto.randomUUID()}`;
  const enc = new TextEncoder();
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const body = new ReadableStream<Uint8Array>({
    async start(c) {
      c.enqueue(enc.encode(`--${boundary}\r\ncontent-disposition: form-data; name="path"\r\n\r\n~/Documents\r\n`));
      c.enqueue(enc.encode(`--${boundary}\r\ncontent-disposition: form-data; name="name"\r\n\r\n${name}\r\n`));
      c.enqueue(enc.encode(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: application/octet-stream\r\n\r\n`));
      c.enqueue(new Uint8Array(bytes).fill(5));
      await done;
      c.enqueue(enc.encode(`\r\n--${boundary}--\r\n`));
      c.close();
    },
  });
  const response = fetch(`${t.url}/write`, {
    method: "POST",
    headers: { ...admin.bearer, "content-type": `multipart/form-data; boundary=${boundary}` },
    body,
    duplex: "half",
  } as RequestInit);
  return { response, finish };
}

test("two writes that each fit but not together: both bodies start within the quota, only one commits", async () => {
  const base = await used();
  await setQuota(base + 1024 * KiB);
  const tmp = join(t.dataDir, "tmp");
  const uploads = () => readdirSync(tmp).filter((n) => n.startsWith("upload-")).length;
  try {
    // 600 KiB each: more than a held small body, so each has its temp file once its bytes land.
    const a = heldWrite("race-a.bin", 600 * KiB);
    const b = heldWrite("race-b.bin", 600 * KiB);
    for (let i = 0; i < 500 && uploads() < 2; i++) await Bun.sleep(10);
    expect(uploads()).toBe(2);
    a.finish();
    b.finish();
    const results = await Promise.all(
      [a.response, b.response].map(async (r) => {
        const res = await r;
        const body = (await res.json()) as { code?: string; available?: number };
        return { status: res.status, code: body.code, available: body.available };
      }),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 413]);
    // What is left once the other landed: 1024 − 600 KiB.
    expect(results.find((r) => r.status === 413)).toEqual({ status: 413, code: "storage_quota_exceeded", available: 424 * KiB });
    expect(await used()).toBe(base + 600 * KiB);
    // The refused one left nothing behind.
    for (let i = 0; i < 100 && uploads() > 0; i++) await Bun.sleep(10);
    expect(uploads()).toBe(0);
  } finally {
    await setQuota(null);
  }
});
