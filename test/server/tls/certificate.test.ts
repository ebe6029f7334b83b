// Certificates: what we read from them agrees with openssl's reading; the checks the node runs on
// the Owner's files (expired, not yet valid, wrong key, missing names, not a certificate); the
// node's own self-signed certificate (covers its names, kept across restarts, made again when a
// name appears or its end nears, key readable by nobody else).
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import ipaddr from "ipaddr.js";
import { certificateProblems, covers, inspectCertificate } from "../../../server/tls/certificate.ts";
import { nodeNames } from "../../../server/tls/node-names.ts";
import { createSelfSigned, ensureSelfSigned } from "../../../server/tls/self-signed.ts";
import { opensslReads, TestCa } from "../../helpers/openssl-certs.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";

const ca = new TestCa();
const tmp = makeTempDir();
afterAll(() => {
  ca.remove();
  tmp.remove();
});
const read = (f: string) => readFileSync(f, "utf8");
const DAY = 86_400_000;

describe("reading a certificate", () => {
  test("names, dates and fingerprint agree with openssl's reading, for openssl's certificates and ours", async () => {
    const leaf = ca.leaf(["pc2.example.com", "*.pc2.example.com", "192.168.1.20", "fd00::20"]);
    const ours = await createSelfSigned(["localhost", "vm.local", "127.0.0.1", "::1"], "PC2");
    for (const pem of [read(leaf.certFile), ours.certPem]) {
      const info = inspectCertificate(pem);
      const openssl = opensslReads(pem);
      expect(info.fingerprint).toBe(openssl.fingerprint);
      // openssl writes IPv6 in full (0:0:0:0:0:0:0:1); we keep the short form a URL uses.
      expect(info.names).toEqual(openssl.names.map((n) => (isIP(n) ? ipaddr.parse(n).toString() : n)));
    }
    expect(inspectCertificate(read(leaf.certFile)).selfSigned).toBe(false);
    const self = inspectCertificate(ours.certPem);
    expect(self.selfSigned).toBe(true);
    // What openssl says of ours: a P-256 leaf for TLS servers, not a CA.
    const text = opensslReads(ours.certPem).text;
    expect(text).toContain("prime256v1");
    expect(text).toContain("TLS Web Server Authentication");
    expect(text).toContain("CA:FALSE");
    expect(self.notAfter.getTime() - Date.now()).toBeLessThan(825 * DAY);
  });

  test("covers: exact names, one-level wildcards, IP addresses in any spelling", async () => {
    const info = inspectCertificate(read(ca.leaf(["pc2.example.com", "*.pc2.example.com", "10.0.0.5", "fd00::20"]).certFile));
    expect(covers(info, "pc2.example.com")).toBe(true);
    expect(covers(info, "PC2.Example.com")).toBe(true);
    expect(covers(info, "alice.pc2.example.com")).toBe(true);
    expect(covers(info, "a.b.pc2.example.com")).toBe(false);
    expect(covers(info, "example.com")).toBe(false);
    expect(covers(info, "evilpc2.example.com")).toBe(false);
    expect(covers(info, "10.0.0.5")).toBe(true);
    expect(covers(info, "10.0.0.6")).toBe(false);
    expect(covers(info, "[fd00:0::20]")).toBe(true);
    expect(covers(info, "fd00::21")).toBe(false);
  });
});

describe("checking the Owner's files", () => {
  const check = (certFile: string, keyFile: string, names: string[] = [], now = new Date()) =>
    certificateProblems(read(certFile), { now, keyPem: read(keyFile), names, certLabel: "cert.pem", keyLabel: "key.pem" });

  test("a good pair has no problems", () => {
    const leaf = ca.leaf(["pc2.example.com"]);
    expect(check(leaf.certFile, leaf.keyFile, ["pc2.example.com"])).toEqual([]);
  });

  test("expired, not yet valid, the wrong key, a missing name: one sentence each", () => {
    const expired = ca.leaf(["pc2.example.com"], { from: new Date("2020-01-01T00:00:00Z"), to: new Date("2020-02-01T00:00:00Z") });
    const other = ca.leaf(["other.example.com"]);
    expect(check(expired.certFile, expired.keyFile)).toEqual(["cert.pem expired on 2020-02-01T00:00:00.000Z"]);
    const future = ca.leaf(["pc2.example.com"], { from: new Date(Date.now() + 10 * DAY), to: new Date(Date.now() + 40 * DAY) });
    expect(check(future.certFile, future.keyFile)[0]).toMatch(/^cert\.pem is not valid until 20\d\d-/);
    expect(check(other.certFile, expired.keyFile)).toEqual(["key.pem is not the key of cert.pem"]);
    expect(check(other.certFile, other.keyFile, ["pc2.example.com", "other.example.com"])).toEqual(["cert.pem does not cover pc2.example.com (it covers other.example.com)"]);
    // All at once: every problem, each on its own.
    expect(check(expired.certFile, other.keyFile, ["nas.example.com"])).toHaveLength(3);
  });

  test("a key file that is not a key, a certificate file that is not a certificate", () => {
    const leaf = ca.leaf(["pc2.example.com"]);
    const junk = join(tmp.path, "junk.pem");
    Bun.write(junk, "hello\n");
    expect(certificateProblems("hello", { now: new Date(), keyPem: read(leaf.keyFile), names: [], certLabel: "cert.pem", keyLabel: "key.pem" })).toEqual([
      "cert.pem holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
    ]);
    expect(certificateProblems(read(leaf.certFile), { now: new Date(), keyPem: read(leaf.certFile), names: [], certLabel: "cert.pem", keyLabel: "key.pem" })).toEqual([
      "key.pem holds no readable private key (PEM, unencrypted)",
    ]);
    const broken = read(leaf.certFile).replace(/\n[A-Za-z0-9+/]{10}/, "\n!!!!!!!!!!");
    expect(certificateProblems(broken, { now: new Date(), keyPem: read(leaf.keyFile), names: [], certLabel: "cert.pem", keyLabel: "key.pem" })[0]).toMatch(
      /^cert\.pem holds a certificate that cannot be read/,
    );
  });
});

describe("the node's self-signed certificate", () => {
  test("made once for the node's names; the same one after a restart; key for the node's user only", async () => {
    const dir = join(tmp.path, "self");
    const names = ["localhost", "127.0.0.1", "::1", "pc2box", "pc2box.local", "192.168.1.20"];
    const first = await ensureSelfSigned(dir, names, "PC2");
    expect(first.made).toBe(true);
    for (const n of names) expect(covers(inspectCertificate(first.certPem), n)).toBe(true);
    expect(statSync(join(dir, "key.pem")).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const again = await ensureSelfSigned(dir, names, "PC2");
    expect(again.made).toBe(false);
    expect(inspectCertificate(again.certPem).fingerprint).toBe(inspectCertificate(first.certPem).fingerprint);
    // A new address (the box moved to another network): a new certificate that covers it.
    const moved = await ensureSelfSigned(dir, [...names, "10.0.0.7"], "PC2");
    expect(moved.made).toBe(true);
    expect(covers(inspectCertificate(moved.certPem), "10.0.0.7")).toBe(true);
    // Within 30 days of its end: made again.
    const nearEnd = new Date(inspectCertificate(moved.certPem).notAfter.getTime() - 10 * DAY);
    expect((await ensureSelfSigned(dir, [...names, "10.0.0.7"], "PC2", nearEnd)).made).toBe(true);
    // A key that does not match (a crash between writing the two): made again.
    Bun.write(join(dir, "key.pem"), (await createSelfSigned(["localhost"], "x")).keyPem);
    expect((await ensureSelfSigned(dir, [...names, "10.0.0.7"], "PC2")).made).toBe(true);
  });

  test("the names: loopback, the machine's names, configured names, and the addresses it listens on", () => {
    const interfaces = {
      lo: [{ address: "127.0.0.1", family: "IPv4" }],
      eth0: [
        { address: "192.168.1.20", family: "IPv4" },
        { address: "fe80::1%eth0", family: "IPv6" },
        { address: "fd00::20", family: "IPv6" },
      ],
    } as never;
    const all = nodeNames({ listenHost: "0.0.0.0", configured: ["nas.example.com"], machineName: "PC2Box", interfaces });
    expect(all).toEqual(["localhost", "127.0.0.1", "::1", "pc2box", "pc2box.local", "nas.example.com", "192.168.1.20", "fd00::20"]);
    const one = nodeNames({ listenHost: "192.168.1.20", configured: [], machineName: "pc2box", interfaces });
    expect(one).toEqual(["localhost", "127.0.0.1", "::1", "pc2box", "pc2box.local", "192.168.1.20"]);
  });
});
