// The node's start with TLS, as an operator sees it: bad certificate files stop it with exit code 2
// and one clear line per problem; a self-signed start prints the fingerprint to check in the browser.
import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { inspectCertificate } from "../../../server/tls/certificate.ts";
import { runCli, spawnNode } from "../../helpers/spawned-node.ts";
import { TestCa } from "../../helpers/openssl-certs.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";

const ca = new TestCa();
const dir = makeTempDir();
afterAll(() => {
  ca.remove();
  dir.remove();
});

test("bad certificate files: exit code 2, one line for each problem, nothing listening", async () => {
  const expired = ca.leaf(["old.example.com"], { from: new Date("2020-01-01T00:00:00Z"), to: new Date("2020-02-01T00:00:00Z") });
  const other = ca.leaf(["pc2.example.com"]);
  const r = await runCli(["start"], {
    PC2_DATA_DIR: `${dir.path}/data`,
    PC2_TLS_MODE: "files",
    PC2_TLS_CERT_FILE: expired.certFile,
    PC2_TLS_KEY_FILE: other.keyFile,
    PC2_HOST_NAMES: "pc2.example.com",
  });
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split("\n");
  expect(lines[0]).toBe("pc2: Invalid configuration:");
  expect(lines.slice(1)).toEqual([
    `  - the certificate in ${expired.certFile} expired on 2020-02-01T00:00:00.000Z`,
    `  - the key in ${other.keyFile} is not the key of the certificate in ${expired.certFile}`,
    `  - the certificate in ${expired.certFile} does not cover pc2.example.com (it covers old.example.com)`,
  ]);
  expect(r.stdout).not.toContain("is running");

  const missing = await runCli(["start"], { PC2_DATA_DIR: `${dir.path}/data`, PC2_TLS_MODE: "files", PC2_TLS_CERT_FILE: `${dir.path}/none.pem`, PC2_TLS_KEY_FILE: other.keyFile });
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain(`PC2_TLS_CERT_FILE: cannot read ${dir.path}/none.pem (ENOENT)`);
}, 30_000);

test("a self-signed start prints https and the fingerprint to compare with the browser's", async () => {
  const node = await spawnNode({ PC2_DATA_DIR: `${dir.path}/self`, PC2_TLS_MODE: "self-signed" });
  try {
    expect(node.url).toStartWith("https://");
    const fingerprint = inspectCertificate(readFileSync(`${dir.path}/self/tls/self-signed/cert.pem`, "utf8")).fingerprint;
    expect(node.stdout()).toContain(`Open:      ${node.url}`);
    expect(node.stdout()).toContain(`self-signed certificate; the browser warns once`);
    expect(node.stdout()).toContain(`             ${fingerprint}`);
  } finally {
    expect(await node.stop()).toBe(0);
  }
}, 30_000);
