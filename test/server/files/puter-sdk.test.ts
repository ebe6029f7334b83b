// The real Puter SDK (@heyputer/puter.js from npm) against a PC2 node.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { claimOwner, httpFetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

let t: TestNode;
let owner: SignedIn;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let puter: any;

beforeAll(async () => {
  t = await startTestNode();
  owner = await claimOwner(httpFetcher(t.url), t.started.setup.code!);
  // The SDK reads these when its module loads (otherwise it reaches for api.puter.com).
  const g = globalThis as Record<string, unknown>;
  g.PUTER_API_ORIGIN = t.url;
  g.PUTER_ORIGIN = t.url;
  g.puter_socket_enabled = false;
  puter = (await import("@heyputer/puter.js")).puter;
  puter.setAuthToken(owner.token);
});
afterAll(() => t.stop());

describe("@heyputer/puter.js against PC2", () => {
  test("auth.whoami", async () => {
    const me = await puter.auth.whoami();
    expect(me.username).toBe(owner.address);
  });

  test("fs.write then fs.read", async () => {
    const written = await puter.fs.write("~/Documents/sdk.txt", "hello from the SDK");
    expect(written.name).toBe("sdk.txt");
    const blob = await puter.fs.read("~/Documents/sdk.txt");
    expect(await blob.text()).toBe("hello from the SDK");
  });

  test("fs.write binary data", async () => {
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) % 256);
    await puter.fs.write("~/Documents/bin.dat", bytes);
    const back = new Uint8Array(await (await puter.fs.read("~/Documents/bin.dat")).arrayBuffer());
    expect(back.length).toBe(bytes.length);
    expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);
  });

  test("fs.mkdir, fs.readdir (folders are folders), fs.stat", async () => {
    await puter.fs.mkdir("~/Documents/sdkdir");
    await puter.fs.mkdir("~/Documents/deep/a/b", { createMissingParents: true });
    const items = await puter.fs.readdir("~/Documents");
    const byName = Object.fromEntries(items.map((i: { name: string; is_dir: boolean }) => [i.name, i.is_dir]));
    expect(byName).toMatchObject({ "sdk.txt": false, "bin.dat": false, sdkdir: true, deep: true });
    const st = await puter.fs.stat("~/Documents/sdk.txt");
    expect(st).toMatchObject({ name: "sdk.txt", is_dir: false, size: 18 });
  });

  test("fs.rename, fs.move, fs.copy, fs.delete", async () => {
    await puter.fs.rename("~/Documents/sdk.txt", "sdk2.txt");
    const moved = await puter.fs.move("~/Documents/sdk2.txt", "~/Desktop");
    expect(moved.moved.path).toBe(`/${owner.address}/Desktop/sdk2.txt`);
    const copied = await puter.fs.copy("~/Desktop/sdk2.txt", "~/Documents");
    expect(copied[0].copied.path).toBe(`/${owner.address}/Documents/sdk2.txt`);
    await puter.fs.delete("~/Desktop/sdk2.txt");
    await expect(puter.fs.stat("~/Desktop/sdk2.txt")).rejects.toMatchObject({ code: "not_found" });
    expect((await puter.fs.readdir("~/Trash")).length).toBe(1);
  });

  test("fs.space", async () => {
    const space = await puter.fs.space();
    expect(space.used).toBeGreaterThan(300_000);
    expect(space.capacity).toBeGreaterThan(space.used);
  });

  test("errors come back in Puter's shape", async () => {
    await expect(puter.fs.mkdir("~/Documents/sdkdir")).rejects.toMatchObject({ code: "item_with_same_name_exists" });
  });
});
