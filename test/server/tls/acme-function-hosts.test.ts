// A function's own host name gets a certificate browsers trust: with a functions domain (whose
// wildcard points at the node) and ACME, giving a function a subdomain adds <subdomain>.<domain> to
// the node's certificate, validated over HTTP-01 like the node's other names. Against Debian's pebble
// (every name resolves to 127.0.0.1 in its DNS); openssl checks the chain for the new name.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inspectCertificate } from "../../../server/tls/certificate.ts";
import { sClient } from "../../helpers/openssl-certs.ts";
import { opensslVerdict, type Pebble, startPebble } from "../../helpers/pebble.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { freeTcpPort, waitFor } from "../../helpers/wait.ts";
import { claimOwner, type Fetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

let pebble: Pebble;
let t: TestNode;
let owner: SignedIn;
let f: Fetcher;
const tmp = makeTempDir();

beforeAll(async () => {
  const httpPort = freeTcpPort();
  pebble = await startPebble({ httpPort, validitySeconds: 3600 });
  t = await startTestNode({
    env: {
      PC2_TLS_MODE: "acme",
      PC2_TLS_ACME_DIRECTORY: pebble.directory,
      PC2_TLS_ACME_CA_FILE: pebble.directoryCaFile,
      PC2_TLS_ACME_NAMES: "bob.pc2.test",
      PC2_TLS_REDIRECT_PORT: String(httpPort),
      PC2_FUNCTIONS_DOMAIN: "fn.pc2.test",
    },
  });
  const { root } = await pebble.chain();
  const trust = [readFileSync(join(t.dataDir, "tls", "self-signed", "cert.pem"), "utf8"), root];
  f = (path, init) => fetch(t.url + path, { ...init, tls: { ca: trust, serverName: "bob.pc2.test" } } as RequestInit);
  owner = await claimOwner(f, t.started.setup.code!);
}, 30_000);

afterAll(async () => {
  await t?.stop();
  await pebble?.stop();
  tmp.remove();
});

const status = async () => (await (await f("/api/tls", { headers: owner.bearer })).json()).acme;
const servedFor = async (name: string) => inspectCertificate((await sClient("127.0.0.1", t.started.port, { serverName: name })).certPem!);

test("a function given a subdomain is added to the node's certificate; openssl verifies the chain for its name", async () => {
  await waitFor(async () => (await status()).state === "issued", 20_000, "the first certificate");
  expect((await servedFor("bob.pc2.test")).names).toEqual(["bob.pc2.test"]);

  const json = { ...owner.bearer, "content-type": "application/json" };
  const deployed = await f("/api/functions", {
    method: "POST",
    headers: json,
    body: JSON.stringify({ name: "hello", visibility: "public", files: [{ path: "main.ts", content: `export default { fetch: () => new Response("hi") };` }] }),
  });
  expect(deployed.status).toBe(201);
  const named = await f("/api/functions/hello", { method: "PATCH", headers: json, body: JSON.stringify({ subdomain: "hello" }) });
  expect((await named.json()).function.host).toBe("hello.fn.pc2.test");

  // After a few seconds (more names given meanwhile would join the same order), a new certificate.
  const issued = await waitFor(
    async () => {
      const info = await servedFor("hello.fn.pc2.test").catch(() => null);
      return info?.names.includes("hello.fn.pc2.test") ? info : false;
    },
    40_000,
    "a certificate for the function's host name",
  );
  expect(issued.names.sort()).toEqual(["bob.pc2.test", "hello.fn.pc2.test"]);
  expect(await status()).toMatchObject({ state: "issued", names: ["bob.pc2.test", "hello.fn.pc2.test"], configured: ["bob.pc2.test"], lastError: null });

  const leaf = (await sClient("127.0.0.1", t.started.port, { serverName: "hello.fn.pc2.test" })).certPem!;
  expect((await opensslVerdict(pebble, tmp.path, leaf, "hello.fn.pc2.test")).verdict).toBe("leaf.pem: OK");
}, 90_000);
