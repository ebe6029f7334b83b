// What a PEM certificate says, read with the runtime's X.509 parser: its names, validity, issuer,
// SHA-256 fingerprint; and the problems that stop a node from serving it (expired, not yet valid,
// the key does not match, a name it must cover is missing), each as one plain sentence.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** DNS names ("*.example.com" included) and IP addresses in subjectAltName. */
  names: string[];
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the DER certificate, as browsers show it: AB:CD:…. */
  fingerprint: string;
  /** Issued by itself: browsers warn, HSTS must not be sent. */
  selfSigned: boolean;
}

export class CertificateError extends Error {}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM chain, leaf first. */
export function splitChain(pem: string): string[] {
  return pem.match(PEM_CERT) ?? [];
}

function parse(pem: string, what: string): X509Certificate {
  const [leaf] = splitChain(pem);
  if (!leaf) throw new CertificateError(`${what} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  try {
    return new X509Certificate(leaf);
  } catch (err) {
    throw new CertificateError(`${what} holds a certificate that cannot be read (${(err as Error).message})`);
  }
}

function sanNames(cert: X509Certificate): string[] {
  const san = cert.subjectAltName ?? "";
  const names: string[] = [];
  for (const part of san.split(/,\s*/)) {
    const m = /^(DNS|IP Address):(.+)$/.exec(part.trim());
    if (m) names.push(m[1] === "IP Address" && isIP(m[2]!) ? ipaddr.parse(m[2]!).toString() : m[2]!.toLowerCase());
  }
  return names;
}

export function inspectCertificate(pem: string, what = "the certificate"): CertificateInfo {
  const cert = parse(pem, what);
  return {
    subject: cert.subject.replace(/\n/g, ", "),
    issuer: cert.issuer.replace(/\n/g, ", "),
    names: sanNames(cert),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    fingerprint: cert.fingerprint256,
    // Issued by itself (checkIssued would also want keyCertSign, which a leaf-only self-signed lacks).
    selfSigned: cert.issuer === cert.subject && cert.verify(cert.publicKey),
  };
}

/** Does the certificate cover `name` (a host name or an IP address), as a browser would check it? */
export function covers(info: CertificateInfo, name: string): boolean {
  const n = name.toLowerCase().replace(/^\[|\]$/g, "");
  if (isIP(n)) {
    const want = ipaddr.parse(n).toString();
    return info.names.some((san) => isIP(san) !== 0 && ipaddr.parse(san).toString() === want);
  }
  return info.names.some((san) => san === n || (san.startsWith("*.") && n.endsWith(san.slice(1)) && /^[^.]+$/.test(n.slice(0, n.length - san.length + 1))));
}

export interface CheckOptions {
  now: Date;
  /** The private key (PEM) the node will serve the certificate with. */
  keyPem: string;
  /** Names the certificate must cover. */
  names: string[];
  /** What the user calls the files, for the messages. */
  certLabel: string;
  keyLabel: string;
}

/** Every reason the node cannot serve this certificate, one sentence each; empty when it can. */
export function certificateProblems(certPem: string, o: CheckOptions): string[] {
  let info: CertificateInfo;
  try {
    info = inspectCertificate(certPem, o.certLabel);
  } catch (err) {
    return [(err as Error).message];
  }
  const problems: string[] = [];
  if (info.notAfter <= o.now) problems.push(`${o.certLabel} expired on ${info.notAfter.toISOString()}`);
  if (info.notBefore > o.now) problems.push(`${o.certLabel} is not valid until ${info.notBefore.toISOString()}`);
  let key: ReturnType<typeof createPrivateKey> | null = null;
  try {
    key = createPrivateKey(o.keyPem);
  } catch {
    problems.push(`${o.keyLabel} holds no readable private key (PEM, unencrypted)`);
  }
  if (key && !new X509Certificate(splitChain(certPem)[0]!).checkPrivateKey(key)) problems.push(`${o.keyLabel} is not the key of ${o.certLabel}`);
  const missing = o.names.filter((n) => !covers(info, n));
  if (missing.length) problems.push(`${o.certLabel} does not cover ${missing.join(", ")} (it covers ${info.names.join(", ") || "no names"})`);
  return problems;
}
