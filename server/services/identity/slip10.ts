// SLIP-0010 key derivation for ed25519 (hardened children only), from a BIP39 seed.
import { createHmac } from "node:crypto";

export interface ExtendedKey {
  /** 32-byte ed25519 private key (the RFC 8032 seed). */
  key: Uint8Array;
  chainCode: Uint8Array;
}

const HARDENED = 0x80000000;

function hmacSha512(key: Uint8Array | string, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac("sha512", key).update(data).digest());
}

function split(i: Uint8Array): ExtendedKey {
  return { key: i.slice(0, 32), chainCode: i.slice(32, 64) };
}

export function masterKey(seed: Uint8Array): ExtendedKey {
  if (seed.length < 16 || seed.length > 64) throw new RangeError("SLIP-0010 seed must be 16 to 64 bytes");
  return split(hmacSha512("ed25519 seed", seed));
}

/** Derive the hardened child `index` (0 ≤ index < 2^31; the hardened bit is added here). */
export function hardenedChild(parent: ExtendedKey, index: number): ExtendedKey {
  if (!Number.isInteger(index) || index < 0 || index >= HARDENED) throw new RangeError(`bad child index ${index}`);
  const data = new Uint8Array(37);
  data.set(parent.key, 1); // data[0] = 0x00
  new DataView(data.buffer).setUint32(33, index + HARDENED, false);
  return split(hmacSha512(parent.chainCode, data));
}

/** Parse "m/44'/2305'/0'" into child indexes. ed25519 has no public derivation, so every step must be hardened. */
export function parsePath(path: string): number[] {
  const parts = path.split("/");
  if (parts[0] !== "m") throw new SyntaxError(`derivation path must start with "m": ${path}`);
  return parts.slice(1).map((part) => {
    const m = /^(\d{1,10})['hH]$/.exec(part);
    if (!m) throw new SyntaxError(`ed25519 derivation path steps must be hardened numbers (like 44'): "${part}"`);
    const n = Number(m[1]);
    if (n >= HARDENED) throw new RangeError(`child index too large: ${part}`);
    return n;
  });
}

export function derivePath(seed: Uint8Array, path: string): ExtendedKey {
  return parsePath(path).reduce(hardenedChild, masterKey(seed));
}
