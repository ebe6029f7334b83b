// libsodium's crypto_box (X25519 → HSalsa20 → XSalsa20-Poly1305, 16-byte tag first). The X25519
// step is node:crypto's (native: a DHT node computes one per peer, and tweetnacl's JS X25519 took
// half the CPU of a busy node); HSalsa20 is tweetnacl's; the secretbox is @noble/ciphers'
// (1.5× tweetnacl's on relayed DATA). The composition is libsodium's crypto_box_beforenm, checked
// byte for byte against the reference's datagram and Active Proxy vectors.
import { createPrivateKey, createPublicKey, diffieHellman } from "node:crypto";
import { xsalsa20poly1305 } from "@noble/ciphers/salsa.js";
import nacl from "tweetnacl";

export const BOX_OVERHEAD = nacl.secretbox.overheadLength;
export const NONCE_BYTES = nacl.box.nonceLength;

const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI_X25519 = Buffer.from("302a300506032b656e032100", "hex");
const SIGMA = new TextEncoder().encode("expand 32-byte k");
const ZERO16 = new Uint8Array(16);
const lowlevel = (nacl as unknown as { lowlevel: { crypto_core_hsalsa20(out: Uint8Array, input: Uint8Array, key: Uint8Array, sigma: Uint8Array): void } }).lowlevel;

/** The precomputed key between our X25519 secret and their X25519 public key (crypto_box_beforenm). */
export function sharedBoxKey(theirEncryptionPublic: Uint8Array, ourEncryptionSecret: Uint8Array): Uint8Array {
  const shared = diffieHellman({
    privateKey: createPrivateKey({ key: Buffer.concat([PKCS8_X25519, ourEncryptionSecret]), format: "der", type: "pkcs8" }),
    publicKey: createPublicKey({ key: Buffer.concat([SPKI_X25519, theirEncryptionPublic]), format: "der", type: "spki" }),
  });
  const key = new Uint8Array(32);
  lowlevel.crypto_core_hsalsa20(key, ZERO16, new Uint8Array(shared), SIGMA);
  return key;
}

export function seal(key: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Uint8Array {
  return xsalsa20poly1305(key, nonce).encrypt(plain);
}

/** The plaintext, or null when the box does not authenticate. */
export function open(key: Uint8Array, nonce: Uint8Array, boxed: Uint8Array): Uint8Array | null {
  if (boxed.length < BOX_OVERHEAD) return null;
  try {
    return xsalsa20poly1305(key, nonce).decrypt(boxed);
  } catch {
    return null; // the tag does not authenticate
  }
}
