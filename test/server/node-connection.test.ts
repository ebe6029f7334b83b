// The desktop's one connection per tab (web/state/node-connection.ts) against a real node: several
// calls at once keep their own notifications (callId), topic subscriptions are counted, and a
// dropped socket is opened again with its subscriptions and listeners.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { NodeConnection } from "../../web/state/node-connection.ts";
import { filesClient } from "../helpers/files-client.ts";
import { fixtureBase64 } from "../helpers/wasm-client.ts";
import { startTestNode, type TestNode } from "../helpers/test-node.ts";
import { claimOwner, httpFetcher, type SignedIn } from "../helpers/wallet-auth.ts";

let t: TestNode;
let owner: SignedIn;

beforeAll(async () => {
  t = await startTestNode();
  owner = await claimOwner(httpFetcher(t.url), t.started.setup.code!);
});
afterAll(() => t.stop());

async function until(check: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !check(); await Bun.sleep(10)) if (Date.now() > end) throw new Error("condition not met in time");
}

test("two runs at once over one connection: each call gets its own streamed output", async () => {
  const conn = new NodeConnection(t.wsUrl, owner.bearer);
  const outputs: Record<string, string> = { a: "", b: "" };
  const run = (name: "a" | "b") =>
    conn.call<{ stdout: string }>(
      "wasm.run",
      { module: fixtureBase64("echo"), args: [name] },
      { onNotification: (m, p) => void (m === "wasm.output" && (p as { stream: string }).stream === "stdout" && (outputs[name] += (p as { text: string }).text)) },
    );
  const [a, b] = await Promise.all([run("a"), run("b")]);
  expect([outputs.a, outputs.b]).toEqual([a.stdout, b.stdout]);
  expect(a.stdout).toStartWith("a\n");
  expect(b.stdout).toStartWith("b\n");
  expect(t.node.hub.connectionCount()).toBe(1);
  conn.close();
});

test("subscriptions are counted, and a dropped connection comes back with them", async () => {
  const conn = new NodeConnection(t.wsUrl, owner.bearer);
  const events: string[] = [];
  conn.on("item.added", (p) => void events.push((p as { name: string }).name));
  const stopA = await conn.subscribe("files");
  const stopB = await conn.subscribe("files");
  stopA(); // another app still watches
  const fs = filesClient(httpFetcher(t.url), owner);
  await fs.write("~/Documents", "one.txt", "1");
  await until(() => events.includes("one.txt"));

  let reopened = 0;
  conn.onReopen(() => void reopened++);
  t.node.hub.closeWhere(() => true, 4000, "test: drop every socket");
  await until(() => reopened === 1);
  await fs.write("~/Documents", "two.txt", "2");
  await until(() => events.includes("two.txt"));

  stopB();
  await Bun.sleep(50);
  await fs.write("~/Documents", "three.txt", "3");
  await Bun.sleep(200);
  expect(events).not.toContain("three.txt");
  conn.close();
});
