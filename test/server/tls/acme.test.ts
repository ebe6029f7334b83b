// ACME against a real ACME server: Debian's pebble (Let's Encrypt's test CA) on loopback, its DNS
// pointing the test names at 127.0.0.1. The node asks for a certificate, answers the HTTP-01
// challenge on its own plain-HTTP port, serves the chain pebble issued (verified by openssl against
// pebble's root), renews a short-lived certificate before it ends, and reports a refused challenge
// with the CA's reason while it keeps serving.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { inspectCertificate } from "../../../server/tls/certificate.ts";
import { sClient } from "../../helpers/openssl-certs.ts";
import { opensslVerdict, type Pebble, startPebble } from "../../helpers/pebble.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { freeTcpPort, waitFor } from "../../helpers/wait.ts";
import { claimOwner, type Fetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

/** pebble's certificates here live 24 s: renewal (a third of the life left) comes 16 s after issue. */
const VALIDITY_S = 24;
let pebble: Pebble;
let httpPort: number;
let t: TestNode;
let owner: SignedIn;
let f: Fetcher;
const tmp = makeTempDir();

beforeAll(async () => {
  httpPort = freeTcpPort();
  pebble = await startPebble({ httpPort, validitySeconds: VALIDITY_S });
  t = await startTestNode({
    env: {
      PC2_TLS_MODE: "acme",
      PC2_TLS_ACME_DIRECTORY: pebble.directory,
      PC2_TLS_ACME_CA_FILE: pebble.directoryCaFile,
      PC2_TLS_ACME_NAMES: "alice.pc2.test",
      PC2_TLS_ACME_EMAIL: "owner@pc2.test",
      PC2_TLS_REDIRECT_PORT: String(httpPort),
    },
  });
  // The API is reached with either certificate: the self-signed one until pebble's arrives.
  const { root } = await pebble.chain();
  const trust = [readFileSync(join(t.dataDir, "tls", "self-signed", "cert.pem"), "utf8"), root];
  f = (path, init) => fetch(t.url + path, { ...init, tls: { ca: trust, serverName: "alice.pc2.test" } } as RequestInit);
  owner = await claimOwner(f, t.started.setup.code!);
}, 30_000);

afterAll(async () => {
  await t?.stop();
  await pebble?.stop();
  tmp.remove();
});

const tlsStatus = async () => (await f("/api/tls", { headers: owner.bearer })).json();
const served = async () => (await sClient("127.0.0.1", t.started.port, { serverName: "alice.pc2.test" })).certPem!;

describe("a certificate from pebble", () => {
  let issuedPem: string;

  test("issued through HTTP-01 on the node's own port 80 stand-in; served with its chain; openssl verifies it against pebble's root", async () => {
    const status = await waitFor(
      async () => {
        const s = await tlsStatus();
        return s.acme.state === "issued" && !s.certificate.selfSigned && s;
      },
      20_000,
      "the certificate",
    );
    expect(status).toMatchObject({ mode: "acme", hsts: true, acme: { names: ["alice.pc2.test"], lastError: null, directory: pebble.directory } });
    issuedPem = await served();
    const info = inspectCertificate(issuedPem);
    expect(info.names).toEqual(["alice.pc2.test"]);
    expect(info.fingerprint).toBe(status.certificate.fingerprint);
    expect(info.issuer).toContain("Pebble Intermediate");

    // openssl checks the chain pebble issued, for the name, as a browser would.
    const { verdict, rootFile } = await opensslVerdict(pebble, tmp.path, issuedPem, "alice.pc2.test");
    expect(verdict).toBe("leaf.pem: OK");
    expect((await sClient("127.0.0.1", t.started.port, { serverName: "alice.pc2.test", caFile: rootFile })).ok).toBe(true);

    // Kept on disk, the key for the node's user only; the challenge is gone once answered.
    expect(statSync(join(t.dataDir, "tls", "acme", "key.pem")).mode & 0o777).toBe(0o600);
    expect(statSync(join(t.dataDir, "tls", "acme", "account.key")).mode & 0o777).toBe(0o600);
    expect(t.node.services.tls.challenges.open).toBe(0);
    expect(t.logs.some((l) => l.msg === "ACME certificate issued")).toBe(true);
    const res = await f("/api/info");
    expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000");
  }, 30_000);

  test("renewed before it ends (a third of its life left), and the new one is served", async () => {
    const first = inspectCertificate(issuedPem);
    const renewed = await waitFor(
      async () => {
        // A handshake during the listener swap may bring no certificate: ask again, like a browser would.
        const pem = await served().catch(() => null);
        return pem ? inspectCertificate(pem).fingerprint !== first.fingerprint && pem : false;
      },
      (VALIDITY_S + 10) * 1000,
      "a renewed certificate",
    );
    const next = inspectCertificate(renewed);
    expect(next.names).toEqual(["alice.pc2.test"]);
    // It came while the first was still valid.
    expect(Date.now()).toBeLessThan(first.notAfter.getTime());
    expect((await tlsStatus()).acme).toMatchObject({ state: "issued", lastError: null });
  }, 60_000);

  test("the challenge path: unknown tokens are 404, malformed ones 400, over the plain port and the node's own", async () => {
    // alice.pc2.test does not resolve on this machine: ask by address with the name as Host.
    const viaPort = await fetch(`http://127.0.0.1:${httpPort}/.well-known/acme-challenge/AAAAAAAAAAAAAAAAAAAAAAAA`, { headers: { host: "alice.pc2.test" }, redirect: "manual" });
    // Not an open challenge: the plain port redirects it like any other path.
    expect(viaPort.status).toBe(308);
    expect((await f("/.well-known/acme-challenge/AAAAAAAAAAAAAAAAAAAAAAAA")).status).toBe(404);
    expect((await f("/.well-known/acme-challenge/short")).status).toBe(400);
  });
});

test("a challenge the CA cannot reach: reported with the CA's reason, retried later; the node keeps serving", async () => {
  await pebble.addA("nowhere.pc2.test", "127.0.0.2"); // nothing listens there
  const other = await startTestNode({
    env: { PC2_TLS_MODE: "acme", PC2_TLS_ACME_DIRECTORY: pebble.directory, PC2_TLS_ACME_CA_FILE: pebble.directoryCaFile, PC2_TLS_ACME_NAMES: "nowhere.pc2.test" },
  });
  try {
    const selfSigned = readFileSync(join(other.dataDir, "tls", "self-signed", "cert.pem"), "utf8");
    const g: Fetcher = (path, init) => fetch(other.url + path, { ...init, tls: { ca: selfSigned } } as RequestInit);
    const o = await claimOwner(g, other.started.setup.code!);
    const status = await waitFor(
      async () => {
        const s = await (await g("/api/tls", { headers: o.bearer })).json();
        return s.acme.state === "failed" && s;
      },
      20_000,
      "the failure",
    );
    expect(status.acme.lastError).toMatch(/urn:ietf:params:acme:error:connection|connection refused/i);
    expect(new Date(status.acme.nextCheckAt).getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect(status.certificate.selfSigned).toBe(true);
    expect(status.hsts).toBe(false);
    const warning = other.logs.find((l) => l.msg === "the ACME CA did not issue a certificate; trying again later")!;
    expect(warning.reason).toBe(status.acme.lastError);
    expect((await g("/api/info")).status).toBe(200);
  } finally {
    await other.stop();
  }
}, 30_000);
