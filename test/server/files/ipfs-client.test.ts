// The IPFS worker starts on first use and stops when idle (server/services/files/ipfs.client.ts), on a
// real Helia repository on disk: an idle node holds no worker; the first call starts one; a worker
// with nothing to do stops after the idle time and the next call starts another, which finds every
// pin; a call that comes while a worker stops waits for it to finish; an
// import still receiving its file keeps the worker; stop, and calls after it.
import { afterAll, describe, expect, test } from "bun:test";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IpfsClient } from "../../../server/services/files/ipfs.client.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { startTestNode } from "../../helpers/test-node.ts";
import { waitFor } from "../../helpers/wait.ts";

const tmp = makeTempDir();
afterAll(() => tmp.remove());
let n = 0;
const file = (body: string) => {
  const path = join(tmp.path, `f${n++}.txt`);
  writeFileSync(path, body);
  return path;
};

describe("the worker's life", () => {
  test("none until the first call; stops after the idle time; the next call starts one that finds the pins", async () => {
    const ipfs = new IpfsClient(join(tmp.path, "repo1"), { idleMs: 300 });
    ipfs.start();
    expect(ipfs.running).toBe(false);
    expect(ipfs.healthy()).toBe(true);
    const cid = await ipfs.add(file("one"));
    expect(cid).toStartWith("bafkrei");
    expect(ipfs.running).toBe(true);
    await waitFor(() => !ipfs.running, 5_000, "the idle worker to stop", 20);
    expect(ipfs.healthy()).toBe(true);
    expect(await ipfs.isPinned(cid)).toBe(true);
    expect(ipfs.running).toBe(true);
    expect(await ipfs.pins()).toEqual([cid]);
    await ipfs.stop();
    expect(ipfs.running).toBe(false);
  }, 30_000);

  test("calls that come while a worker stops are answered by the next one, started once the stopping one is done", async () => {
    const ipfs = new IpfsClient(join(tmp.path, "repo2"), { idleMs: 1 });
    ipfs.start();
    const cids: string[] = [];
    for (let i = 0; i < 6; i++) {
      // Idle for 1 ms: most of these calls find the worker stopping, or stopped.
      cids.push(await ipfs.add(file(`body ${i}`)));
      await Bun.sleep(i % 3);
    }
    expect(new Set(cids).size).toBe(6);
    // Several at once, the first of them starting a worker (the worker runs them side by side).
    await Bun.sleep(20);
    const burst = await Promise.all([ipfs.add(file("a")), ipfs.unpin(cids[0]!), ipfs.isPinned(cids[1]!), ipfs.pins()]);
    expect(burst.slice(1, 3)).toEqual([true, true]);
    expect(await ipfs.isPinned(cids[0]!)).toBe(false);
    expect((await ipfs.pins()).length).toBe(6);
    await ipfs.stop();
  }, 60_000);

  test("an import still receiving its file keeps the worker however long it waits", async () => {
    const ipfs = new IpfsClient(join(tmp.path, "repo3"), { idleMs: 50 });
    ipfs.start();
    const path = file("");
    const imp = ipfs.addGrowing(path);
    await Bun.sleep(400);
    expect(ipfs.running).toBe(true);
    appendFileSync(path, "grown slowly");
    imp.grow(12);
    await Bun.sleep(200);
    expect(ipfs.running).toBe(true);
    const cid = await imp.finish(12);
    expect(await ipfs.add(file("grown slowly"))).toBe(cid);
    await waitFor(() => !ipfs.running, 5_000, "the idle worker to stop", 20);
    await ipfs.stop();
  }, 30_000);

  test("a worker that fails fails the calls waiting on it and every later one, and /health's check with them", async () => {
    const broken = join(tmp.path, "broken.worker.ts");
    writeFileSync(broken, 'throw new Error("no Helia here");\n');
    const ipfs = new IpfsClient(join(tmp.path, "repo5"), { workerScript: broken });
    ipfs.start();
    // Settled with .then: expect().rejects can miss a rejection that comes from a worker (oven-sh/bun#31462).
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => "answered",
        (e: Error) => e.message,
      );
    expect(await failure(ipfs.add(file("x")))).toStartWith("ipfs worker failed: ");
    expect(await failure(ipfs.pins())).toStartWith("ipfs worker failed: ");
    expect(ipfs.healthy()).toBe(false);
    await ipfs.stop();
  });

  test("stop with no worker returns at once; calls before start or after stop are refused", async () => {
    const ipfs = new IpfsClient(join(tmp.path, "repo4"));
    await expect(ipfs.add(file("x"))).rejects.toThrow("ipfs worker not running");
    ipfs.start();
    const t = performance.now();
    await ipfs.stop();
    expect(performance.now() - t).toBeLessThan(1_000);
    await expect(ipfs.pins()).rejects.toThrow("ipfs worker not running");
    expect(ipfs.healthy()).toBe(false);
  });
});

test("a started node holds no IPFS worker until a file needs one, and reports it healthy", async () => {
  const node = await startTestNode();
  try {
    const ipfs = node.node.services.ipfs;
    expect(ipfs.running).toBe(false);
    const health = await fetch(`${node.url}/health`);
    expect([health.status, (await health.json()).status]).toEqual([200, "ok"]);
    expect(ipfs.healthy()).toBe(true);
    expect(ipfs.running).toBe(false);
  } finally {
    await node.stop();
  }
});
