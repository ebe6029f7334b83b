// ACME through the relay, end to end: a node behind a super node, with no address of its own, gets
// a certificate for its public name from pebble. The CA's HTTP-01 check goes to the gateway's plain
// port (the name resolves to the super node), is routed by Host through the Active Proxy, and the
// node answers it; the certificate is then served through the gateway's TLS port, passed through
// by SNI, and verifies against pebble's root for the name.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspectCertificate } from "../../../server/tls/certificate.ts";
import { sClient } from "../../helpers/openssl-certs.ts";
import { type Pebble, startPebble } from "../../helpers/pebble.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { freeTcpPort, waitFor } from "../../helpers/wait.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { claimOwner, httpFetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

const RANGE = 20000 + Math.floor(Math.random() * 300) * 5;
const tmp = makeTempDir();
let pebble: Pebble;
let superNode: TestNode;
let node: TestNode;
let owner: SignedIn;
let gateway: { port: number; tlsPort: number };

beforeAll(async () => {
  // The CA checks http://<name>:<port>/.well-known/… where <port> is the gateway's plain port.
  const plainPort = freeTcpPort();
  pebble = await startPebble({ httpPort: plainPort });
  superNode = await startTestNode({
    env: {
      PC2_NETWORK_MODE: "super",
      PC2_NETWORK_PROXY_PORT: "0",
      PC2_NETWORK_PROXY_PORTS: `${RANGE}-${RANGE + 4}`,
      PC2_NETWORK_DEVELOPMENT_MODE: "true",
      PC2_NETWORK_GATEWAY_DOMAIN: "pc2.test",
      PC2_NETWORK_GATEWAY_PORT: String(plainPort),
      PC2_NETWORK_GATEWAY_TLS_PORT: "0",
    },
  });
  const superOwner = await claimOwner(httpFetcher(superNode.url), superNode.started.setup.code!);
  const on = await (
    await fetch(`${superNode.url}/api/network/settings`, { method: "PUT", headers: { ...superOwner.bearer, "content-type": "application/json" }, body: JSON.stringify({ enabled: true }) })
  ).json();
  gateway = { port: on.relay.gateway.port, tlsPort: on.relay.gateway.tlsPort };
  // The node: TLS by ACME, no names of its own: it waits for its public name.
  node = await startTestNode({
    env: {
      PC2_NETWORK_SUPER_NODE: `${superNode.started.identity.nodeId}@127.0.0.1:${on.relay.server.port}`,
      PC2_NETWORK_DEVELOPMENT_MODE: "true",
      PC2_NETWORK_GATEWAY_URL: `http://127.0.0.1:${gateway.port}`,
      PC2_TLS_MODE: "acme",
      PC2_TLS_ACME_DIRECTORY: pebble.directory,
      PC2_TLS_ACME_CA_FILE: pebble.directoryCaFile,
    },
  });
  const local = (path: string, init?: RequestInit) => fetch(node.url + path, { ...init, tls: { rejectUnauthorized: false } } as RequestInit);
  owner = await claimOwner(local, node.started.setup.code!);
  const json = { ...owner.bearer, "content-type": "application/json" };
  expect((await (await local("/api/tls", { headers: owner.bearer })).json()).acme.state).toBe("waiting");
  await local("/api/network/settings", { method: "PUT", headers: json, body: JSON.stringify({ enabled: true }) });
  await waitFor(async () => (await (await local("/api/network/status", { headers: owner.bearer })).json()).publicEndpoint);
  const named = await (await local("/api/network/name", { method: "PUT", headers: json, body: JSON.stringify({ name: "dave" }) })).json();
  expect(named.httpsUrl).toBe(`https://dave.pc2.test:${gateway.tlsPort}`);
}, 40_000);

afterAll(async () => {
  await node?.stop();
  await superNode?.stop();
  await pebble?.stop();
  tmp.remove();
});

test("the node gets a certificate for its public name through the relay, and serves it end to end", async () => {
  const cert = await waitFor(async () => {
    const hs = await sClient("127.0.0.1", gateway.tlsPort, { serverName: "dave.pc2.test" });
    const info = hs.certPem ? inspectCertificate(hs.certPem) : null;
    return info && !info.selfSigned && info;
  }, 30_000);
  expect(cert.names).toEqual(["dave.pc2.test"]);
  const { root } = await pebble.chain();
  writeFileSync(join(tmp.path, "root.pem"), root);
  const verified = await sClient("127.0.0.1", gateway.tlsPort, { serverName: "dave.pc2.test", caFile: join(tmp.path, "root.pem") });
  expect(verified.protocol).toBe("TLSv1.3");
  // The check came through the relay: the node's relayed listener answered the CA.
  expect(node.logs.some((l) => l.via === "relay" && String(l.path).startsWith("/.well-known/acme-challenge/") && l.status === 200)).toBe(true);
  // Now http://dave.pc2.test is sent to https://.
  const r = await fetch(`http://127.0.0.1:${gateway.port}/`, { headers: { host: `dave.pc2.test:${gateway.port}`, connection: "close" }, redirect: "manual" });
  expect(r.status).toBe(308);
  expect(r.headers.get("location")).toBe(`https://dave.pc2.test:${gateway.tlsPort}/`);
}, 40_000);
