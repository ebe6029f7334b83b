// https://<name>.<domain> on loopback, end to end: the gateway routes a TLS connection by its SNI to
// the node through the Active Proxy without terminating it, so the client verifies the node's own
// certificate; unknown, missing and foreign names get a TLS alert; http://<name> is sent to https://
// once the node's certificate covers the name; relayed TLS clients are still told apart.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { inspectCertificate } from "../../../server/tls/certificate.ts";
import { sClient, TestCa } from "../../helpers/openssl-certs.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { claimOwner, type Fetcher, httpFetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

const RANGE = 29000 + Math.floor(Math.random() * 400) * 5;
const ca = new TestCa();
const leaf = ca.leaf(["bob.pc2.test", "localhost", "127.0.0.1"]);
let superNode: TestNode;
let node: TestNode;
let owner: SignedIn;
let superOwner: SignedIn;
let gateway: { port: number; tlsPort: number };

async function waitFor<T>(what: () => Promise<T | null | undefined | false>, ms = 10_000): Promise<T> {
  for (const until = Date.now() + ms; Date.now() < until; await Bun.sleep(50)) {
    const v = await what();
    if (v) return v;
  }
  throw new Error("timed out");
}

/** https://bob.pc2.test:<tlsPort> at the gateway's address, trusting the test CA only. */
const viaTls: Fetcher = (path, init) =>
  fetch(`https://127.0.0.1:${gateway.tlsPort}${path}`, {
    ...init,
    headers: { ...Object.fromEntries(new Headers(init?.headers)), host: `bob.pc2.test:${gateway.tlsPort}` },
    tls: { ca: readFileSync(ca.caFile, "utf8"), serverName: "bob.pc2.test" },
  } as RequestInit);

beforeAll(async () => {
  superNode = await startTestNode({
    env: {
      PC2_NETWORK_MODE: "super",
      PC2_NETWORK_PROXY_PORT: "0",
      PC2_NETWORK_PROXY_PORTS: `${RANGE}-${RANGE + 4}`,
      PC2_NETWORK_DEVELOPMENT_MODE: "true",
      PC2_NETWORK_GATEWAY_DOMAIN: "pc2.test",
      PC2_NETWORK_GATEWAY_PORT: "0",
      PC2_NETWORK_GATEWAY_TLS_PORT: "0",
    },
  });
  superOwner = await claimOwner(httpFetcher(superNode.url), superNode.started.setup.code!);
  const on = await (
    await fetch(`${superNode.url}/api/network/settings`, { method: "PUT", headers: { ...superOwner.bearer, "content-type": "application/json" }, body: JSON.stringify({ enabled: true }) })
  ).json();
  gateway = { port: on.relay.gateway.port, tlsPort: on.relay.gateway.tlsPort };
  node = await startTestNode({
    env: {
      PC2_NETWORK_SUPER_NODE: `${superNode.started.identity.nodeId}@127.0.0.1:${on.relay.server.port}`,
      PC2_NETWORK_DEVELOPMENT_MODE: "true",
      PC2_NETWORK_GATEWAY_URL: `http://127.0.0.1:${gateway.port}`,
      PC2_TLS_MODE: "files",
      PC2_TLS_CERT_FILE: leaf.certFile,
      PC2_TLS_KEY_FILE: leaf.keyFile,
    },
  });
  const local: Fetcher = (path, init) => fetch(node.url + path, { ...init, tls: { ca: readFileSync(ca.caFile, "utf8") } } as RequestInit);
  owner = await claimOwner(local, node.started.setup.code!);
  const json = { ...owner.bearer, "content-type": "application/json" };
  await local("/api/network/settings", { method: "PUT", headers: json, body: JSON.stringify({ enabled: true }) });
  await waitFor(async () => (await (await local("/api/network/status", { headers: owner.bearer })).json()).publicEndpoint);
  const named = await (await local("/api/network/name", { method: "PUT", headers: json, body: JSON.stringify({ name: "bob" }) })).json();
  expect(named).toEqual({ name: "bob", url: `http://bob.pc2.test:${gateway.port}`, httpsUrl: `https://bob.pc2.test:${gateway.tlsPort}` });
}, 30_000);

afterAll(async () => {
  await node?.stop();
  await superNode?.stop();
  ca.remove();
});

test("the client verifies the node's own certificate through the gateway and reaches the node", async () => {
  const hs = await sClient("127.0.0.1", gateway.tlsPort, { serverName: "bob.pc2.test", caFile: ca.caFile });
  expect(hs.protocol).toBe("TLSv1.3");
  expect(inspectCertificate(hs.certPem!).fingerprint).toBe(inspectCertificate(readFileSync(leaf.certFile, "utf8")).fingerprint);
  const info = await viaTls("/api/info");
  expect((await info.json()).nodeId).toBe(node.started.identity.nodeId);
  expect(info.headers.get("strict-transport-security")).toBe("max-age=31536000");
  // A relayed TLS client is "relay:<address>", never a local one.
  const line = node.logs.findLast((l) => l.via === "relay-tls" && l.path === "/api/info");
  expect(String(line?.ip)).toStartWith("relay:");
  const status = await (await viaTls("/api/network/status", { headers: owner.bearer })).json();
  expect(status.publicName.httpsUrl).toBe(`https://bob.pc2.test:${gateway.tlsPort}`);
  // The super node counted TLS it passed on; it holds no certificate for the name.
  const superStatus = await (await fetch(`${superNode.url}/api/network/status`, { headers: superOwner.bearer })).json();
  expect(superStatus.relay.gateway.routedTls).toBeGreaterThanOrEqual(2);
});

test("an unknown name, a name outside the domain, or no name at all: a TLS alert, never someone's node", async () => {
  for (const serverName of ["mallory.pc2.test", "bob.example.com", undefined]) {
    const hs = await sClient("127.0.0.1", gateway.tlsPort, serverName ? { serverName } : {});
    expect(hs.protocol).toBeNull();
    expect(hs.output).toMatch(/unrecognized name|alert/i);
  }
});

test("http://bob.pc2.test is sent to https://bob.pc2.test (the node's certificate covers it); the ACME path is not", async () => {
  const r = await fetch(`http://127.0.0.1:${gateway.port}/files?a=1`, { headers: { host: `bob.pc2.test:${gateway.port}`, connection: "close" }, redirect: "manual" });
  expect(r.status).toBe(308);
  expect(r.headers.get("location")).toBe(`https://bob.pc2.test:${gateway.tlsPort}/files?a=1`);
  const acme = await fetch(`http://127.0.0.1:${gateway.port}/.well-known/acme-challenge/AAAAAAAAAAAAAAAAAAAAAAAA`, { headers: { host: `bob.pc2.test:${gateway.port}`, connection: "close" } });
  expect(acme.status).toBe(404); // answered by the node (no such challenge), not redirected
});
