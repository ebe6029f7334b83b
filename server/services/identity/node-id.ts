// Node identity maths: phrase → SLIP-0010 ed25519 key → Node ID (Base58 of the public key) → did:boson.
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import * as ed from "@noble/ed25519";
import { base58 } from "@scure/base";
import { phraseToSeed } from "./mnemonic.ts";
import { derivePath } from "./slip10.ts";

// @noble/ed25519 needs a synchronous SHA-512 for its sync API; node:crypto's is native and fast.
ed.hashes.sha512 = (msg: Uint8Array) => new Uint8Array(createHash("sha512").update(msg).digest());

/** The Boson/PC2 key path; fixed by the product so a phrase gives the same Node ID everywhere. */
export const NODE_KEY_PATH = "m/44'/2305'/0'/0'/0'";
export const DID_PREFIX = "did:boson:";

export interface NodeKeys {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  nodeId: string;
  did: string;
}

/** PKCS#8 DER header of an Ed25519 private key; the 32-byte RFC 8032 seed follows. */
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * The public key of an ed25519 secret, natively: noble's first getPublicKey spends ~40 ms building
 * its tables, which every start-up paid to check identity.json.
 */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== 32) throw new RangeError("an ed25519 secret key is 32 bytes");
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, secretKey]), format: "der", type: "pkcs8" });
  return new Uint8Array(Buffer.from(createPublicKey(privateKey).export({ format: "jwk" }).x!, "base64url"));
}

export function nodeIdOf(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new RangeError("an ed25519 public key is 32 bytes");
  return base58.encode(publicKey);
}

export function didOf(nodeId: string): string {
  return DID_PREFIX + nodeId;
}

export function keysFromSecret(secretKey: Uint8Array): NodeKeys {
  const publicKey = publicKeyOf(secretKey);
  const nodeId = nodeIdOf(publicKey);
  return { secretKey, publicKey, nodeId, did: didOf(nodeId) };
}

export function keysFromPhrase(phrase: string): NodeKeys {
  return keysFromSecret(derivePath(phraseToSeed(phrase), NODE_KEY_PATH).key);
}

export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return ed.sign(message, secretKey);
}

export function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  return ed.verify(signature, message, publicKey);
}
