// `pc2 backup` as an operator uses it, each command its own process: create while the node runs
// (it backs itself up) and while it is stopped, verify, and restore onto an empty data dir from the
// folder and the phrase typed on stdin — the same Node ID, re-pinned files. A wrong phrase, a data
// dir that is not empty, and a damaged chunk are refused with exit code 3 and one clear line.
import { afterAll, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, spawnNode } from "../../helpers/spawned-node.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { claimOwner, httpFetcher } from "../../helpers/wallet-auth.ts";
import { filesClient } from "../../helpers/files-client.ts";

const work = makeTempDir();
const a = join(work.path, "a");
const usb = join(work.path, "usb");
afterAll(() => work.remove());
const OTHER = "legal winner thank year wave sausage worth useful legal winner thank yellow";

test("create (running and stopped), verify, restore with the phrase; refusals with exit code 3", async () => {
  const node = await spawnNode({ PC2_DATA_DIR: a, PC2_SETUP_CODE: "backup-cli-setup-code" });
  let phrase = "";
  let firstWritten = 0;
  let nodeId = "";
  try {
    const f = httpFetcher(node.url);
    const owner = await claimOwner(f, "backup-cli-setup-code");
    phrase = (await (await f("/api/identity/phrase", { headers: owner.bearer })).json()).words.join(" ");
    nodeId = (await (await f("/api/info")).json()).nodeId;
    for (let i = 0; i < 5; i++) expect((await filesClient(f, owner).write("~/Documents", `n${i}.txt`, `note ${i}`.repeat(1000))).status).toBe(200);
    const live = await runCli(["backup", "create", usb], { PC2_DATA_DIR: a });
    expect([live.code, live.stderr]).toEqual([0, ""]);
    expect(live.stdout).toMatch(/^Backup set \d{8}T\d{9}Z in \/.*usb: \d+ objects, [\d.]+ [KMG]iB; [\d.]+ [KMG]iB written; 1 sets kept\.\n$/);
    const [, n, unit] = /; ([\d.]+) ([KMG])iB written/.exec(live.stdout)!;
    firstWritten = Number(n) * { K: 1, M: 1024, G: 1024 * 1024 }[unit as "K"]; // KiB
  } finally {
    expect(await node.stop()).toBe(0);
  }
  // Stopped: the CLI backs up by itself; almost nothing is new.
  const offline = await runCli(["backup", "create", usb, "--json"], { PC2_DATA_DIR: a });
  expect(offline.code).toBe(0);
  const stats = JSON.parse(offline.stdout);
  expect(stats).toMatchObject({ ok: true, setsKept: 1 }); // two sets the same day: the newer is kept, the older pruned
  expect(stats.bytesWritten / 1024).toBeLessThan(firstWritten);
  const verify = await runCli(["backup", "verify", usb], { PC2_DATA_DIR: a });
  expect([verify.code, verify.stdout]).toEqual([0, expect.stringContaining("is whole")]);

  // A new machine: an empty data dir, the folder, the phrase.
  const b = join(work.path, "b");
  const restored = await runCli(["backup", "restore", usb], { PC2_DATA_DIR: b }, `${phrase}\n`);
  expect(restored.code).toBe(0);
  expect(restored.stdout).toContain(`of ${nodeId} into ${b}`);
  const shown = JSON.parse((await runCli(["identity", "show", "--json"], { PC2_DATA_DIR: b })).stdout);
  expect(shown.nodeId).toBe(nodeId);
  expect((await runCli(["storage", "check"], { PC2_DATA_DIR: b })).code).toBe(0);

  // Refused: another phrase (no backup of that node here), a data dir that is not empty, a damaged chunk.
  const wrong = await runCli(["backup", "restore", usb], { PC2_DATA_DIR: join(work.path, "c") }, `${OTHER}\n`);
  expect([wrong.code, wrong.stderr.trim()]).toEqual([3, expect.stringMatching(/^pc2: no backup of \S+ at .*; nothing was restored$/)]);
  expect(existsSync(join(work.path, "c"))).toBe(false);
  const busy = await runCli(["backup", "restore", usb], { PC2_DATA_DIR: a }, `${phrase}\n`);
  expect([busy.code, busy.stderr]).toEqual([3, expect.stringContaining("is not empty")]);
  // One bit in every chunk (whichever the verify reads first is damaged).
  const chunks = join(usb, "pc2-backup", nodeId, "chunks");
  for (const prefix of readdirSync(chunks))
    for (const name of readdirSync(join(chunks, prefix))) {
      const bytes = readFileSync(join(chunks, prefix, name));
      bytes[bytes.length - 10]! ^= 1;
      writeFileSync(join(chunks, prefix, name), bytes);
    }
  const damaged = await runCli(["backup", "verify", usb], { PC2_DATA_DIR: a });
  expect(damaged.code).toBe(3);
  expect(damaged.stderr).toMatch(/^pc2: chunk [0-9a-f]{12}… cannot be decrypted with this phrase, or was damaged/);
}, 120_000);
