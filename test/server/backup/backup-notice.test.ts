// How a backup ended reaches the Owner's desktop over /ws (the "node" topic), and nobody else's.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Pc2WsClient } from "../../../web/api/ws-client.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { addUser, claimOwner, httpFetcher, json, type SignedIn } from "../../helpers/wallet-auth.ts";

let t: TestNode;
let owner: SignedIn;
let admin: SignedIn;
const folder = makeTempDir("pc2-notice-");

beforeAll(async () => {
  t = await startTestNode();
  owner = await claimOwner(httpFetcher(t.url), t.started.setup.code!);
  admin = await addUser(httpFetcher(t.url), owner, "admin");
});
afterAll(async () => {
  await t.stop();
  folder.remove();
});

test("backup.finished goes to the Owner's sockets on the node topic, with the outcome; an Admin's hear nothing", async () => {
  const ownerWs = await Pc2WsClient.connect(t.wsUrl, { headers: owner.bearer });
  const adminWs = await Pc2WsClient.connect(t.wsUrl, { headers: admin.bearer });
  try {
    await ownerWs.subscribe(["node"]);
    await adminWs.subscribe(["node"]);
    const heardByAdmin: unknown[] = [];
    adminWs.on("backup.finished", (p) => void heardByAdmin.push(p));
    const heard = ownerWs.next("backup.finished");
    const res = await httpFetcher(t.url)("/api/backup/run", json({ folder: folder.path }, owner.bearer));
    expect(res.status).toBe(200);
    expect(await heard).toMatchObject({ ok: true, destination: folder.path, error: null, set: expect.any(String) });
    // A failed one says why.
    const failed = ownerWs.next("backup.finished");
    await httpFetcher(t.url)("/api/backup/run", json({ folder: "/proc/pc2-cannot-write-here" }, owner.bearer));
    expect(await failed).toMatchObject({ ok: false, error: expect.any(String) });
    await Bun.sleep(100);
    expect(heardByAdmin).toEqual([]);
  } finally {
    ownerWs.close();
    adminWs.close();
  }
});
