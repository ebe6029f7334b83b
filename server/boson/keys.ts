// Ed25519 keys as Boson uses them: a node or peer key signs (pure Ed25519, detached) and, converted
// to X25519 the way libsodium does (crypto_sign_ed25519_*_to_curve25519), opens crypto_box messages.
import { createPrivateKey, createPublicKey, sign as edSign, verify as edVerify, type KeyObject } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import { Id } from "./id.ts";

const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");

export class KeyPair {
  readonly id: Id;
  readonly publicKey: Uint8Array;
  private readonly privateKey: KeyObject;
  private readonly seed: Uint8Array;
  private x25519: { secret: Uint8Array; public: Uint8Array } | null = null;

  /** From the 32-byte Ed25519 seed (RFC 8032 secret key). */
  constructor(seed: Uint8Array) {
    if (seed.length !== 32) throw new RangeError("an Ed25519 seed is 32 bytes");
    this.privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: "der", type: "pkcs8" });
    this.publicKey = new Uint8Array(Buffer.from(createPublicKey(this.privateKey).export({ format: "jwk" }).x!, "base64url"));
    this.id = Id.of(this.publicKey);
    this.seed = Uint8Array.from(seed);
  }

  /** X25519 secret (libsodium's conversion of the seed) for crypto_box. */
  get encryptionSecret(): Uint8Array {
    return this.montgomery().secret;
  }

  /** X25519 public key (Montgomery form of the Ed25519 key). */
  get encryptionPublic(): Uint8Array {
    return this.montgomery().public;
  }

  /** Converted when first needed: a node's start reads only its ID (the conversion is ~5 ms of bigint arithmetic). */
  private montgomery(): { secret: Uint8Array; public: Uint8Array } {
    this.x25519 ??= { secret: ed25519.utils.toMontgomerySecret(this.seed), public: ed25519.utils.toMontgomery(this.publicKey) };
    return this.x25519;
  }

  /** A 64-byte secret key in libsodium's layout (seed ‖ public key), as Boson configs carry it. */
  static fromSecretKey(secretKey: Uint8Array): KeyPair {
    if (secretKey.length !== 64) throw new RangeError("a libsodium Ed25519 secret key is 64 bytes");
    const pair = new KeyPair(secretKey.subarray(0, 32));
    if (!Buffer.from(pair.publicKey).equals(secretKey.subarray(32))) throw new RangeError("the secret key's public half does not match its seed");
    return pair;
  }

  static random(): KeyPair {
    return new KeyPair(ed25519.utils.randomSecretKey());
  }

  sign(message: Uint8Array): Uint8Array {
    return new Uint8Array(edSign(null, message, this.privateKey));
  }
}

/** Verifiers' public keys by ID, at most VERIFIER_CACHE of them (then it starts again). */
const publicKeys = new Map<string, KeyObject>();
export const VERIFIER_CACHE = 4096;

/** How many verifiers' keys are held now (for tests of the bound). */
export function cachedVerifierKeys(): number {
  return publicKeys.size;
}

/** Verify a detached Ed25519 signature by the key whose ID is `signer`. */
export function verifySignature(signer: Id, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  const hex = Buffer.from(signer.bytes).toString("hex");
  let key = publicKeys.get(hex);
  if (!key) {
    try {
      key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, signer.bytes]), format: "der", type: "spki" });
    } catch {
      return false; // not a point on the curve: no one can sign for it
    }
    if (publicKeys.size >= VERIFIER_CACHE) publicKeys.clear();
    publicKeys.set(hex, key);
  }
  try {
    return edVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** The X25519 public key of any ID (anyone who knows a Node ID can encrypt to it). */
export function encryptionKeyOf(id: Id): Uint8Array {
  return ed25519.utils.toMontgomery(id.bytes);
}
