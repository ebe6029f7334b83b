// The Owner chooses the certificate in Settings (PUT /api/tls): from the self-signed one to one from
// an ACME CA (pebble) and back, applied at once and kept across a restart; only the Owner may;
// bad names are refused; with TLS set by the operator (off, or their own files) it cannot be chosen.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inspectCertificate } from "../../../server/tls/certificate.ts";
import { sClient } from "../../helpers/openssl-certs.ts";
import { type Pebble, startPebble } from "../../helpers/pebble.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { freeTcpPort, waitFor } from "../../helpers/wait.ts";
import { addUser, claimOwner, type Fetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

let pebble: Pebble;
let httpPort: number;
const data = makeTempDir();
let t: TestNode;
let owner: SignedIn;
let f: Fetcher;
let env: Record<string, string>;

const served = async (name = "carol.pc2.test") => inspectCertificate((await sClient("127.0.0.1", t.started.port, { serverName: name })).certPem!);
const put = (who: SignedIn, body: unknown) => f("/api/tls", { method: "PUT", headers: { ...who.bearer, "content-type": "application/json" }, body: JSON.stringify(body) });

beforeAll(async () => {
  httpPort = freeTcpPort();
  pebble = await startPebble({ httpPort });
  env = { PC2_TLS_MODE: "self-signed", PC2_TLS_ACME_DIRECTORY: pebble.directory, PC2_TLS_ACME_CA_FILE: pebble.directoryCaFile, PC2_TLS_REDIRECT_PORT: String(httpPort) };
  t = await startTestNode({ dataDir: data.path, env });
  const { root } = await pebble.chain();
  const once = (path: string, init?: RequestInit) =>
    fetch(t.url + path, { ...init, tls: { ca: [readFileSync(join(data.path, "tls", "self-signed", "cert.pem"), "utf8"), root], checkServerIdentity: () => undefined } } as RequestInit);
  // A new certificate replaces the listener and closes its idle keep-alive connections: a GET sent
  // on one at that moment is reset, and is sent again on a new connection — as a browser does.
  f = (path, init) =>
    once(path, init).catch((err: { code?: string }) => {
      if (err.code !== "ECONNRESET" || (init?.method && init.method !== "GET")) throw err;
      return once(path, init);
    });
  owner = await claimOwner(f, t.started.setup.code!);
}, 30_000);

afterAll(async () => {
  await t?.stop();
  await pebble?.stop();
  data.remove();
});

test("self-signed → ACME for a name, live: the CA's certificate is served without a restart; then back", async () => {
  const before = await (await f("/api/tls", { headers: owner.bearer })).json();
  expect(before).toMatchObject({ mode: "self-signed", chosenIn: "config", choosable: true, acme: null });
  const chosen = await put(owner, { mode: "acme", names: ["carol.pc2.test"], email: "owner@pc2.test" });
  expect(chosen.status).toBe(200);
  expect(await chosen.json()).toMatchObject({ mode: "acme", chosenIn: "settings", acme: { configured: ["carol.pc2.test"] } });
  const issued = await waitFor(async () => {
    const s = await (await f("/api/tls", { headers: owner.bearer })).json();
    return s.acme?.state === "issued" && s;
  }, 20_000);
  expect(issued.certificate.selfSigned).toBe(false);
  const cert = await served();
  expect(cert.names).toEqual(["carol.pc2.test"]);
  expect(cert.issuer).toContain("Pebble");
  const audit = await (await f("/api/audit?action=tls.mode_changed", { headers: owner.bearer })).json();
  expect(audit.entries[0]).toMatchObject({ action: "tls.mode_changed", detail: { mode: "acme", names: ["carol.pc2.test"] } });

  expect((await put(owner, { mode: "self-signed" })).status).toBe(200);
  expect((await served("localhost")).selfSigned).toBe(true);
}, 40_000);

test("the choice is kept across a restart", async () => {
  expect((await put(owner, { mode: "acme", names: ["carol.pc2.test"] })).status).toBe(200);
  await t.node.stop("restart");
  t = await startTestNode({ dataDir: data.path, env });
  const s = await (await f("/api/tls", { headers: owner.bearer })).json();
  expect(s).toMatchObject({ mode: "acme", chosenIn: "settings", acme: { configured: ["carol.pc2.test"] } });
  // The stored certificate serves at once, before any new order.
  expect((await served()).selfSigned).toBe(false);
}, 40_000);

test("only the Owner chooses; names are DNS names (no wildcards), at most 20; no other mode", async () => {
  const member = await addUser(f, owner, "member");
  const admin = await addUser(f, owner, "admin");
  expect((await put(member, { mode: "self-signed" })).status).toBe(403);
  expect((await put(admin, { mode: "self-signed" })).status).toBe(403);
  for (const body of [{ mode: "off" }, { mode: "files" }, { mode: "acme", names: ["*.pc2.test"] }, { mode: "acme", names: ["Bad Name"] }, { mode: "acme", names: Array(21).fill("a.pc2.test") }]) {
    const r = await put(owner, body);
    expect([JSON.stringify(body).slice(0, 60), r.status]).toEqual([JSON.stringify(body).slice(0, 60), 400]); // which body, if one passes
  }
});

test("with TLS off (loopback) or the operator's files, Settings cannot choose", async () => {
  const plain = await startTestNode();
  try {
    const o = await claimOwner((p, i) => fetch(plain.url + p, i), plain.started.setup.code!);
    const status = await (await fetch(`${plain.url}/api/tls`, { headers: o.bearer })).json();
    expect(status).toMatchObject({ mode: "off", choosable: false, certificate: null });
    const r = await fetch(`${plain.url}/api/tls`, { method: "PUT", headers: { ...o.bearer, "content-type": "application/json" }, body: JSON.stringify({ mode: "self-signed" }) });
    expect(r.status).toBe(409);
    expect((await r.json()).code).toBe("tls_not_choosable");
  } finally {
    await plain.stop();
  }
});
