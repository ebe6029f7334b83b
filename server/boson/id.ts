// Boson IDs: 256-bit keys (a node's or a peer's Ed25519 public key, a value's hash) with Kademlia's
// XOR metric. Text form is plain Base58 (Bitcoin alphabet, no prefix or checksum); parsers also
// take `0x` + 64 hex digits and `did:boson:` + Base58.
import { randomBytes } from "node:crypto";
import { base58 } from "@scure/base";

export const ID_BYTES = 32;
export const DID_PREFIX = "did:boson:";

export class InvalidIdError extends Error {}

/** A 32-byte Boson ID. Immutable: never write into `bytes`. */
export class Id {
  private text: string | null = null;
  private constructor(readonly bytes: Uint8Array) {}

  static of(bytes: Uint8Array): Id {
    if (bytes.length !== ID_BYTES) throw new InvalidIdError(`an ID is ${ID_BYTES} bytes, not ${bytes.length}`);
    return new Id(new Uint8Array(bytes));
  }

  /** Base58, `0x` hex or `did:boson:` text. */
  static parse(text: string): Id {
    if (typeof text !== "string") throw new InvalidIdError("an ID is text");
    if (/^0x[0-9a-fA-F]{64}$/.test(text)) return new Id(new Uint8Array(Buffer.from(text.slice(2), "hex")));
    const b58 = text.startsWith(DID_PREFIX) ? text.slice(DID_PREFIX.length) : text;
    if (!/^[1-9A-HJ-NP-Za-km-z]{1,50}$/.test(b58)) throw new InvalidIdError("not a Base58 ID");
    let bytes: Uint8Array;
    try {
      bytes = base58.decode(b58);
    } catch {
      throw new InvalidIdError("not a Base58 ID");
    }
    if (bytes.length !== ID_BYTES) throw new InvalidIdError(`an ID is ${ID_BYTES} bytes, not ${bytes.length}`);
    return new Id(bytes);
  }

  static random(): Id {
    return new Id(new Uint8Array(randomBytes(ID_BYTES)));
  }

  /** A random ID that shares the first `depth` bits with `prefix` (any ID of that bucket). */
  static randomInRange(prefix: Id, depth: number): Id {
    const out = new Uint8Array(randomBytes(ID_BYTES));
    for (let bit = 0; bit < depth; bit++) setBit(out, bit, getBit(prefix.bytes, bit));
    return new Id(out);
  }

  /** A random ID that shares exactly the first `depth` bits with `prefix` (used to refresh a bucket). */
  static randomWithPrefix(prefix: Id, depth: number): Id {
    const out = new Uint8Array(randomBytes(ID_BYTES));
    for (let bit = 0; bit < depth; bit++) setBit(out, bit, getBit(prefix.bytes, bit));
    if (depth < 256) setBit(out, depth, 1 - getBit(prefix.bytes, depth));
    return new Id(out);
  }

  toString(): string {
    this.text ??= base58.encode(this.bytes);
    return this.text;
  }

  toHex(): string {
    return `0x${Buffer.from(this.bytes).toString("hex")}`;
  }

  toDid(): string {
    return DID_PREFIX + this.toString();
  }

  equals(other: Id): boolean {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, ID_BYTES).equals(other.bytes);
  }

  /** XOR distance to another ID, as an ID. */
  distance(other: Id): Id {
    const out = new Uint8Array(ID_BYTES);
    for (let i = 0; i < ID_BYTES; i++) out[i] = this.bytes[i]! ^ other.bytes[i]!;
    return new Id(out);
  }

  /** 256 minus the number of leading zero bits of the distance: 0 for the same ID, 256 for the far half. */
  approxDistance(other: Id): number {
    for (let i = 0; i < ID_BYTES; i++) {
      const x = this.bytes[i]! ^ other.bytes[i]!;
      if (x !== 0) return 256 - (i * 8 + Math.clz32(x) - 24);
    }
    return 0;
  }

  /** Which of a and b is closer to this ID: negative if a, positive if b, 0 if equally close. */
  compareDistance(a: Id, b: Id): number {
    for (let i = 0; i < ID_BYTES; i++) {
      const da = this.bytes[i]! ^ a.bytes[i]!;
      const db = this.bytes[i]! ^ b.bytes[i]!;
      if (da !== db) return da - db;
    }
    return 0;
  }
}

export function getBit(bytes: Uint8Array, bit: number): number {
  return (bytes[bit >> 3]! >> (7 - (bit & 7))) & 1;
}

function setBit(bytes: Uint8Array, bit: number, value: number): void {
  const mask = 1 << (7 - (bit & 7));
  bytes[bit >> 3] = value ? bytes[bit >> 3]! | mask : bytes[bit >> 3]! & ~mask;
}
