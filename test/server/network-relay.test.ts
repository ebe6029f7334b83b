// Two PC2 nodes: a super node running the Active Proxy, and a node that gets a public address through
// it. Reached only through the public port: the node's API answers, relayed requests are not local
// (their client is "relay:<address>", each its own for rate limits), the Host is accepted, a wallet
// signs in, and the status says where. AI replies stream through it, and a resumable upload cut by
// a tunnel drop resumes where it stopped once the node is back on its port.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { request } from "node:http";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { makeTinyGguf } from "../../scripts/make-tiny-gguf.ts";
import { makeTempDir } from "../helpers/temp-dir.ts";
import { startTestNode, type TestNode } from "../helpers/test-node.ts";
import { addUser, challenge, claimOwner, httpFetcher, type SignedIn, signIn } from "../helpers/wallet-auth.ts";

const RANGE = 27000 + Math.floor(Math.random() * 400) * 5;
let superNode: TestNode;
let node: TestNode;
let publicUrl: string;
let owner: SignedIn;
let superOwner: SignedIn;
const nodeData = makeTempDir();

async function waitFor<T>(what: () => Promise<T | null | undefined | false>, ms = 10_000): Promise<T> {
  for (const until = Date.now() + ms; Date.now() < until; await Bun.sleep(50)) {
    const v = await what();
    if (v) return v;
  }
  throw new Error("timed out");
}

beforeAll(async () => {
  superNode = await startTestNode({ env: { PC2_NETWORK_MODE: "super", PC2_NETWORK_PROXY_PORT: "0", PC2_NETWORK_PROXY_PORTS: `${RANGE}-${RANGE + 4}`, PC2_NETWORK_DEVELOPMENT_MODE: "true" } });
  superOwner = await claimOwner(httpFetcher(superNode.url), superNode.started.setup.code!);
  const on = await (
    await fetch(`${superNode.url}/api/network/settings`, { method: "PUT", headers: { ...superOwner.bearer, "content-type": "application/json" }, body: JSON.stringify({ enabled: true }) })
  ).json();
  const proxyPort = on.relay.server.port as number;
  makeTinyGguf(join(nodeData.path, "models", "pc2-tiny.gguf"));
  node = await startTestNode({
    dataDir: nodeData.path,
    env: { PC2_NETWORK_SUPER_NODE: `${superNode.started.identity.nodeId}@127.0.0.1:${proxyPort}`, PC2_NETWORK_DEVELOPMENT_MODE: "true", PC2_AI_THREADS: "1", PC2_AI_CONTEXT_SIZE: "512" },
  });
  owner = await claimOwner(httpFetcher(node.url), node.started.setup.code!);
  await fetch(`${node.url}/api/network/settings`, { method: "PUT", headers: { ...owner.bearer, "content-type": "application/json" }, body: JSON.stringify({ enabled: true }) });
  publicUrl = await waitFor(async () => (await (await fetch(`${node.url}/api/network/status`, { headers: owner.bearer })).json()).publicEndpoint);
}, 30_000);
afterAll(async () => {
  await node?.stop();
  await superNode?.stop();
  nodeData.remove();
});

test("the node has a public address from the super node's range, and its API answers there", async () => {
  expect(publicUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const port = Number(new URL(publicUrl).port);
  expect(port).toBeGreaterThanOrEqual(RANGE);
  expect(port).toBeLessThanOrEqual(RANGE + 4);
  const info = await (await fetch(`${publicUrl}/api/info`)).json();
  expect(info.nodeId).toBe(node.started.identity.nodeId);
});

test("through the relay: a stranger is refused, an invited member signs in and uses the API; relayed clients are 'relay', never loopback", async () => {
  const f = httpFetcher(publicUrl);
  const c = await challenge(f, "0x" + "12".repeat(20));
  // The SIWE message names the host the browser really used: the public one.
  expect(c.message).toContain(new URL(publicUrl).host);
  await expect(signIn(f)).rejects.toMatchObject({ status: 403 });
  const member = await addUser(f, owner, "member");
  const who = await (await f("/whoami", { headers: member.bearer })).json();
  expect(who).toMatchObject({ address: member.address, role: "member" });
  const logs = node.logs.filter((l) => l.via === "relay" && l.msg === "http");
  expect(logs.length).toBeGreaterThan(3);
  expect(logs.every((l) => l.ip === "relay:127.0.0.1")).toBe(true);
});

/** A POST through the relay from a chosen loopback address (another client, as the super node sees it). */
function postFrom(localAddress: string, path: string, body: unknown): Promise<number> {
  const url = new URL(publicUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: "POST", localAddress, agent: false, headers: { "content-type": "application/json", connection: "close" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode!));
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

test("relayed clients are told apart: one client's spent sign-in budget does not lock out another", async () => {
  const codes: number[] = [];
  for (let i = 0; i < 31; i++) codes.push(await postFrom("127.0.0.2", "/api/auth/challenge", { address: `0x${String(i).padStart(40, "0")}` }));
  expect(codes.slice(0, 30).every((c) => c === 200)).toBe(true);
  expect(codes[30]).toBe(429);
  expect(await postFrom("127.0.0.3", "/api/auth/challenge", { address: `0x${"5".repeat(40)}` })).toBe(200);
  const ips = new Set(node.logs.filter((l) => l.via === "relay" && l.msg === "http").map((l) => l.ip));
  expect(ips).toEqual(new Set(["relay:127.0.0.1", "relay:127.0.0.2", "relay:127.0.0.3"]));
}, 30_000);

test("a local process that connects to the relay listener itself is 'relay:unknown', never loopback", async () => {
  const relayPort = node.node.services.network.relayedClients.port;
  const res = await fetch(`http://127.0.0.1:${relayPort}/api/info`);
  expect(res.status).toBe(200);
  expect(node.logs.filter((l) => l.via === "relay" && l.msg === "http").some((l) => l.ip === "relay:unknown")).toBe(true);
});

test("the super node's status counts the session and the relayed bytes", async () => {
  const status = await (await fetch(`${superNode.url}/api/network/status`, { headers: superOwner.bearer })).json();
  expect(status.relay.server).toMatchObject({ sessions: 1 });
  // fetch keeps its connection alive: every request above went through one or a few relayed connections.
  expect(status.relay.server.connectionsRelayed).toBeGreaterThanOrEqual(1);
  expect(status.relay.server.bytesIn).toBeGreaterThan(1000);
});

test("an AI reply streams through the relay, token by token, as NDJSON", async () => {
  const res = await fetch(`${publicUrl}/api/ai/chat`, {
    method: "POST",
    headers: { ...owner.bearer, "content-type": "application/json" },
    body: JSON.stringify({ model: "local/pc2-tiny", message: "Hi!", temperature: 0 }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("ndjson");
  const lines: { type: string; text?: string; message?: { content: string } }[] = [];
  let reads = 0;
  let buffered = "";
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    reads++;
    buffered += decoder.decode(chunk, { stream: true });
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      lines.push(JSON.parse(buffered.slice(0, nl)));
      buffered = buffered.slice(nl + 1);
    }
  }
  const tokens = lines
    .filter((l) => l.type === "token")
    .map((l) => l.text)
    .join("");
  expect(tokens).toBe("abcdefghijklmnopqrstuvwxyz.");
  expect(lines.at(-1)).toMatchObject({ type: "done", message: { content: "abcdefghijklmnopqrstuvwxyz." } });
  // It came in pieces as it was written, not as one buffered body.
  expect(reads).toBeGreaterThan(1);
}, 60_000);

test("a resumable upload cut by a tunnel drop resumes at its offset once the node is back on its port; the file is byte-identical", async () => {
  const MIB = 1024 * 1024;
  const bytes = new Uint8Array(12 * MIB).map((_, i) => (i * 31 + 7) & 0xff);
  const auth = { ...owner.bearer };
  const created = await (
    await fetch(`${publicUrl}/api/files/uploads`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ path: "~/Documents/resumed.bin", size: bytes.length }),
    })
  ).json();
  const put = (offset: number, body: BodyInit) =>
    fetch(`${publicUrl}/api/files/uploads/${created.id}?offset=${offset}`, { method: "PUT", headers: { ...auth, "content-type": "application/octet-stream" }, body, duplex: "half" } as RequestInit);
  expect((await put(0, bytes.subarray(0, 4 * MIB))).status).toBe(200);

  // The second chunk starts, then the node's tunnels drop (networking off) while it is in flight.
  const local = (path: string, body: unknown) => fetch(`${node.url}${path}`, { method: "PUT", headers: { ...owner.bearer, "content-type": "application/json" }, body: JSON.stringify(body) });
  let sent = 0;
  const slow = new ReadableStream<Uint8Array>({
    async pull(c) {
      if (sent >= 4 * MIB) return c.close();
      c.enqueue(bytes.subarray(4 * MIB + sent, 4 * MIB + sent + 256 * 1024));
      sent += 256 * 1024;
      if (sent === MIB) await local("/api/network/settings", { enabled: false });
      await Bun.sleep(20);
    },
  });
  const cut = await put(4 * MIB, slow).then(
    (r) => r.status,
    () => "failed",
  );
  expect(cut).not.toBe(200);

  // Back on the network, on the same public port (the super node kept it).
  await local("/api/network/settings", { enabled: true });
  const back = await waitFor(async () => (await (await fetch(`${node.url}/api/network/status`, { headers: owner.bearer })).json()).publicEndpoint, 15_000);
  expect(back).toBe(publicUrl);
  const status = await (await fetch(`${publicUrl}/api/files/uploads/${created.id}`, { headers: auth })).json();
  expect(status.offset).toBe(4 * MIB); // the cut chunk was discarded, nothing half-written counts
  expect((await put(status.offset, bytes.subarray(status.offset))).status).toBe(200);
  expect((await fetch(`${publicUrl}/api/files/uploads/${created.id}/complete`, { method: "POST", headers: auth })).status).toBe(200);
  const read = new Uint8Array(await (await fetch(`${publicUrl}/read?file=${encodeURIComponent("~/Documents/resumed.bin")}`, { headers: auth })).arrayBuffer());
  expect(createHash("sha256").update(read).digest("hex")).toBe(createHash("sha256").update(bytes).digest("hex"));
}, 60_000);
