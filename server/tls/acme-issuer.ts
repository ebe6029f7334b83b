// Getting a certificate from an ACME CA (RFC 8555) with acme-client: an account (its key kept by
// the caller), an order for the names, HTTP-01 challenges answered by the node itself, a fresh
// ECDSA P-256 key and its CSR, and the chain the CA returns. A CA's refusal comes back as
// AcmeError with the CA's own words (e.g. "urn:ietf:params:acme:error:connection: …").
// acme-client is loaded when first needed: evaluating it (with axios) took ~95 ms of a compiled
// node's start-up, for a certificate that is asked for once in months; node:https and node:tls
// with it (Bun builds them on first import: ~5 ms of a restart).
import type acmeModule from "acme-client";
import type { AcmeChallenges } from "./acme-challenges.ts";

export class AcmeError extends Error {}

export interface IssueOptions {
  directory: string;
  email: string | null;
  /** The account's private key (PEM); made by createAccountKey and kept by the caller. */
  accountKeyPem: string;
  names: string[];
  challenges: AcmeChallenges;
}

type Acme = typeof acmeModule;

interface Loaded {
  acme: Acme;
  https: typeof import("node:https");
  tls: typeof import("node:tls");
}

let trusted: string | null = null;
let loaded: Loaded | null = null;
let loading: Promise<Acme> | null = null;

function applyTrust({ acme, https, tls }: Loaded): void {
  // tls.rootCertificates is read only here: building the list took ~60 ms when it was read at import.
  acme.axios.defaults.httpsAgent = trusted ? new https.Agent({ ca: [...tls.rootCertificates, trusted], keepAlive: false }) : undefined;
}

/** acme-client, loaded on first use with the trusted CA applied. */
function acmeClient(): Promise<Acme> {
  loading ??= Promise.all([import("acme-client"), import("node:https"), import("node:tls")]).then(([acme, https, tls]) => {
    loaded = { acme: acme.default, https, tls };
    applyTrust(loaded);
    return loaded.acme;
  });
  return loading;
}

/**
 * Trust `caPem` for ACME directories besides the system's roots (a private CA such as step-ca).
 * acme-client has one HTTP client per process, so this is process-wide; PC2 talks to one directory.
 */
export function trustDirectoryCa(caPem: string | null): void {
  if (caPem === trusted) return;
  trusted = caPem;
  if (loaded) applyTrust(loaded);
}

export async function createAccountKey(): Promise<string> {
  const acme = await acmeClient();
  return (await acme.crypto.createPrivateEcdsaKey("P-256")).toString();
}

/** What the CA said, as one line: its problem document's type and detail when there is one. */
function describe(err: unknown): string {
  const e = err as { message?: string; response?: { data?: { type?: string; detail?: string } } };
  const problem = e.response?.data;
  if (problem?.detail) return `${problem.type ? `${problem.type}: ` : ""}${problem.detail}`;
  return (e.message ?? String(err)).split("\n")[0]!.slice(0, 500);
}

/**
 * The account of this key: looked up if the CA knows it (and its contact set when there is one),
 * made otherwise. acme-client's own step re-sends the registration to a known account as an update,
 * which a CA refuses when it changes nothing (no contact address: "Use POST-as-GET…"), so every
 * order after the first failed for a node without an email.
 */
async function useAccount(client: InstanceType<Awaited<ReturnType<typeof acmeClient>>["Client"]>, email: string | null): Promise<void> {
  const contact = email ? [`mailto:${email}`] : undefined;
  try {
    await client.createAccount({ onlyReturnExisting: true });
  } catch {
    await client.createAccount({ termsOfServiceAgreed: true, contact });
    return;
  }
  if (contact) await client.updateAccount({ contact });
}

export async function issueCertificate(o: IssueOptions): Promise<{ certPem: string; keyPem: string }> {
  const acme = await acmeClient();
  const client = new acme.Client({ directoryUrl: o.directory, accountKey: o.accountKeyPem, backoffAttempts: 6, backoffMin: 1000, backoffMax: 10_000 });
  const key = await acme.crypto.createPrivateEcdsaKey("P-256");
  const [, csr] = await acme.crypto.createCsr({ commonName: o.names[0], altNames: o.names }, key);
  try {
    await useAccount(client, o.email);
    const certPem = await client.auto({
      csr,
      email: o.email ?? undefined,
      termsOfServiceAgreed: true,
      challengePriority: ["http-01"],
      // The CA checks the challenge itself; acme-client's own pre-check would fetch our name through
      // this machine's resolver and port 80, which says nothing about what the CA can reach.
      skipChallengeVerification: true,
      challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
        if (challenge.type !== "http-01") throw new AcmeError(`unexpected challenge ${challenge.type}`);
        o.challenges.set(challenge.token, keyAuthorization);
      },
      challengeRemoveFn: async (_authz, challenge) => {
        o.challenges.delete(challenge.token);
      },
    });
    return { certPem, keyPem: key.toString() };
  } catch (err) {
    throw new AcmeError(describe(err));
  }
}
