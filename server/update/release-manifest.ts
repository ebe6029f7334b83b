// Release manifests: what a PC2 release is ({version, channel, platform, url, sha256, size, minFrom,
// notes}) and the publisher's Ed25519 signature over it. A node accepts a release only when the
// signature is by the publisher key it trusts (built into the binary, or the self-builder's own from
// config), the platform is its own, the version is newer than the one running (no downgrade unless
// the Owner forces a rollback), and the running version is at least the release's minFrom. The
// downloaded binary must then have exactly the manifest's size and SHA-256.
import { Id } from "../boson/id.ts";
import { KeyPair, verifySignature } from "../boson/keys.ts";

export interface ReleaseManifest {
  version: string;
  channel: string;
  /** `${process.platform}-${process.arch}`, e.g. linux-x64. */
  platform: string;
  url: string;
  sha256: string;
  size: number;
  /** The oldest running version that may update to this one directly. */
  minFrom: string;
  notes: string;
}

/** The published document: the manifest and the base64 signature over its canonical bytes. */
export interface SignedRelease {
  manifest: ReleaseManifest;
  signature: string;
}

export type RefusalReason = "malformed" | "bad_signature" | "wrong_platform" | "wrong_channel" | "not_newer" | "too_old" | "hash_mismatch";

export class ReleaseRefused extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

const FIELDS = ["version", "channel", "platform", "url", "sha256", "size", "minFrom", "notes"] as const;
const VERSION = /^\d{1,6}\.\d{1,6}\.\d{1,6}(?:-[0-9A-Za-z.-]{1,40})?$/;
const DOMAIN = "PC2 release manifest v1\n";

export const thisPlatform = () => `${process.platform}-${process.arch}`;

/** The bytes signed: a fixed prefix and the fields in a fixed order (so no JSON canonicalisation is needed). */
export function manifestBytes(m: ReleaseManifest): Uint8Array {
  return new TextEncoder().encode(DOMAIN + JSON.stringify(FIELDS.map((k) => m[k])));
}

export function signRelease(m: ReleaseManifest, publisherSeed: Uint8Array): SignedRelease {
  return { manifest: m, signature: Buffer.from(new KeyPair(publisherSeed).sign(manifestBytes(m))).toString("base64") };
}

/** The publisher key's text form (base58, as Node IDs are written). */
export const publisherKeyOf = (seed: Uint8Array) => new KeyPair(seed).id.toString();

/** a < b → negative, equal → 0 (semver order; a pre-release sorts before its release). */
export function compareVersions(a: string, b: string): number {
  return Bun.semver.order(a, b);
}

function checkShape(doc: unknown): SignedRelease {
  const d = doc as Partial<SignedRelease> | null;
  const m = d?.manifest as Record<string, unknown> | undefined;
  if (!d || typeof d !== "object" || !m || typeof m !== "object" || typeof d.signature !== "string") throw new ReleaseRefused("malformed", "not a release manifest: { manifest, signature } expected");
  const extra = Object.keys(m).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (extra.length) throw new ReleaseRefused("malformed", `the manifest has unknown fields: ${extra.join(", ").slice(0, 100)}`);
  for (const k of FIELDS) {
    const ok = k === "size" ? Number.isSafeInteger(m[k]) && (m[k] as number) > 0 : typeof m[k] === "string";
    if (!ok) throw new ReleaseRefused("malformed", `the manifest's ${k} is missing or has the wrong type`);
  }
  const manifest = m as unknown as ReleaseManifest;
  if (!VERSION.test(manifest.version) || !VERSION.test(manifest.minFrom)) throw new ReleaseRefused("malformed", "the manifest's version or minFrom is not a version (1.2.3)");
  if (!/^[0-9a-f]{64}$/.test(manifest.sha256)) throw new ReleaseRefused("malformed", "the manifest's sha256 is not 64 hex digits");
  if (manifest.notes.length > 20_000) throw new ReleaseRefused("malformed", "the release notes are too long");
  try {
    const u = new URL(manifest.url);
    if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error();
  } catch {
    throw new ReleaseRefused("malformed", "the manifest's url is not an http(s) URL");
  }
  return { manifest, signature: d.signature };
}

export interface ReleaseCheck {
  /** The publisher key trusted (base58). */
  publicKey: string;
  running: string;
  platform: string;
  channel: string;
  /** The Owner forces a rollback to an older release. */
  allowDowngrade?: boolean;
}

/** The manifest when the release may be installed here; ReleaseRefused naming why not otherwise. */
export function checkRelease(doc: unknown, c: ReleaseCheck): ReleaseManifest {
  const { manifest, signature } = checkShape(doc);
  let key: Id;
  try {
    key = Id.parse(c.publicKey);
  } catch {
    throw new ReleaseRefused("bad_signature", "the trusted publisher key is not a key");
  }
  if (!verifySignature(key, manifestBytes(manifest), Buffer.from(signature, "base64"))) throw new ReleaseRefused("bad_signature", "the release is not signed by the trusted publisher key");
  if (manifest.platform !== c.platform) throw new ReleaseRefused("wrong_platform", `the release is for ${manifest.platform.slice(0, 40)}, this node is ${c.platform}`);
  if (manifest.channel !== c.channel) throw new ReleaseRefused("wrong_channel", `the release is on the ${manifest.channel.slice(0, 40)} channel, this node follows ${c.channel}`);
  const order = compareVersions(manifest.version, c.running);
  if (order === 0 || (order < 0 && !c.allowDowngrade)) throw new ReleaseRefused("not_newer", `${manifest.version} is ${order === 0 ? "the version running" : `older than the running ${c.running}`}`);
  if (compareVersions(c.running, manifest.minFrom) < 0)
    throw new ReleaseRefused("too_old", `${manifest.version} updates from ${manifest.minFrom} or later; this node runs ${c.running}: install ${manifest.minFrom} first`);
  return manifest;
}
