// The start banner: the public side is shown when networking is on with a super node, and only then.
import { expect, test } from "bun:test";
import { formatBanner } from "../../server/banner.ts";

const facts = {
  url: "http://127.0.0.1:4200",
  version: "1.0.0",
  dataDir: "/var/lib/pc2",
  identity: { nodeId: "NODEID", did: "did:boson:NODEID", publicKey: "00", phrasePending: false },
  setup: { claimed: true, code: null, source: null },
} as unknown as Parameters<typeof formatBanner>[0];

test("no super node: no public line", () => {
  expect(formatBanner(facts)).not.toContain("Public:");
});

test("with a super node: connecting, then the address and the name", () => {
  const connecting = formatBanner({ ...facts, relay: { superNode: "SN@relay.example:8090", endpoint: null, name: null } });
  expect(connecting).toContain("  Public:    connecting through SN@relay.example:8090…");
  expect(connecting).not.toContain("Name:");
  const up = formatBanner({ ...facts, relay: { superNode: "SN@relay.example:8090", endpoint: "http://relay.example:25001", name: "http://alice.pc2.example" } });
  expect(up).toContain("  Public:    http://relay.example:25001\n  Name:      http://alice.pc2.example\n  Node ID:   NODEID");
});

test("TLS: the self-signed fingerprint to check; the Owner's or the CA's certificate with its end; ACME still on its way", () => {
  const fingerprint = "2C:50:5E:47:8E:42:B7:C1:F0:50:5C:C2:D4:E2:0C:DE:0F:7D:30:8F:D3:1E:C0:56:27:0F:34:10:7E:5C:27:60";
  const self = formatBanner({ ...facts, url: "https://192.168.1.20:4200", tls: { mode: "self-signed", selfSigned: true, fingerprint, notAfter: "2029-01-01T00:00:00.000Z" } });
  expect(self).toContain("self-signed certificate; the browser warns once");
  expect(self).toContain(`             ${fingerprint}\n`);
  const files = formatBanner({ ...facts, tls: { mode: "files", selfSigned: false, fingerprint, notAfter: "2027-03-01T00:00:00.000Z" } });
  expect(files).toContain(`  TLS:       certificate from your files, valid until 2027-03-01, SHA-256 ${fingerprint}`);
  const acme = formatBanner({ ...facts, tls: { mode: "acme", selfSigned: false, fingerprint, notAfter: "2027-03-01T00:00:00.000Z" } });
  expect(acme).toContain("certificate from the ACME CA, valid until 2027-03-01");
  const waiting = formatBanner({ ...facts, tls: { mode: "acme", selfSigned: true, fingerprint, notAfter: "2029-01-01T00:00:00.000Z" } });
  expect(waiting).toContain("asking the ACME CA for a certificate");
  expect(waiting).toContain(fingerprint);
  expect(formatBanner(facts)).not.toContain("TLS:");
});
