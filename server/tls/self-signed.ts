// The node's own self-signed certificate for the LAN: made at first start (ECDSA P-256, X.509 by
// @peculiar/x509 over WebCrypto), kept in <data>/tls/self-signed/, and made again only when it no
// longer covers the node's names or is within 30 days of its end, so the fingerprint a user checked
// stays the same across restarts. @peculiar/x509 is loaded only to make one: it (with its ASN.1
// schemas) cost ~80 ms of every start-up, and a restart only reads the certificate it made.
import { existsSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { ensurePrivateDir, writeFileAtomic } from "../fs/atomic-write.ts";
import { certificateProblems } from "./certificate.ts";

/** Browsers refuse server certificates valid for longer than 825 days (Apple's rule); stay under it. */
const VALID_DAYS = 800;
/** Made again this long before its end. */
const RENEW_BEFORE_MS = 30 * 86_400_000;
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export interface KeyAndCertificate {
  certPem: string;
  keyPem: string;
}

/** A fresh self-signed certificate for `names` (DNS names and IP addresses). */
export async function createSelfSigned(names: string[], commonName: string, now = new Date()): Promise<KeyAndCertificate> {
  await import("reflect-metadata"); // @peculiar/x509's dependency injection needs it before it loads
  const x509 = await import("@peculiar/x509");
  x509.cryptoProvider.set(crypto);
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(16)))
      .toString("hex")
      .replace(/^[89a-f]/, "7"),
    name: [{ CN: [commonName] }, { O: ["PC2 node (self-signed)"] }],
    // An hour back: a client whose clock is a little behind still accepts it.
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + VALID_DAYS * 86_400_000),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((n) => (isIP(n) ? { type: "ip" as const, value: n } : { type: "dns" as const, value: n }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { certPem: cert.toString("pem"), keyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") };
}

/**
 * The node's self-signed certificate in `dir`, made (again) when it is missing, unreadable, does
 * not cover `names`, or ends within 30 days. `made` says whether a new one was written.
 */
export async function ensureSelfSigned(dir: string, names: string[], commonName: string, now = new Date()): Promise<KeyAndCertificate & { made: boolean }> {
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  if (existsSync(certFile) && existsSync(keyFile)) {
    const current = { certPem: readFileSync(certFile, "utf8"), keyPem: readFileSync(keyFile, "utf8") };
    const soon = new Date(now.getTime() + RENEW_BEFORE_MS);
    if (certificateProblems(current.certPem, { now: soon, keyPem: current.keyPem, names, certLabel: "cert", keyLabel: "key" }).length === 0) return { ...current, made: false };
  }
  const fresh = await createSelfSigned(names, commonName, now);
  ensurePrivateDir(dir);
  // The key first: a crash between the two leaves a key without its certificate, which is made again.
  writeFileAtomic(keyFile, fresh.keyPem, 0o600);
  writeFileAtomic(certFile, fresh.certPem, 0o644);
  return { ...fresh, made: true };
}
