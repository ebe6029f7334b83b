// Deno KV keys as bytes that sort as Deno orders keys, so that the node's store (SQLite, comparing
// blobs byte by byte) lists them in Deno's order: parts by type first — Uint8Array < string <
// bigint < number < boolean, as Deno itself orders them (test/server/functions/kv-parity.test.ts)
// — then by value. Each part is a type tag and its value: byte strings
// and text with 0x00 escaped as 0x00 0xFF and ended by 0x00 (so a prefix sorts before what extends
// it); numbers as IEEE 754 big-endian with the sign flipped (all bits for negatives); bigints as a
// sign, a length and the magnitude; booleans as one byte.

export type KvKeyPart = Uint8Array | string | number | bigint | boolean;
export type KvKey = readonly KvKeyPart[];

const BYTES = 0x01;
const STRING = 0x02;
const BIGINT = 0x03;
const NUMBER = 0x04;
const BOOLEAN = 0x05;

export class KvKeyError extends TypeError {}

function escaped(bytes: Uint8Array, out: number[]): void {
  for (const b of bytes) {
    out.push(b);
    if (b === 0) out.push(0xff);
  }
  out.push(0);
}

export function encodeKey(key: KvKey): Uint8Array {
  if (!Array.isArray(key)) throw new KvKeyError("A Deno KV key is an array of parts (strings, numbers, bigints, booleans, Uint8Arrays)");
  const out: number[] = [];
  for (const part of key) {
    if (part instanceof Uint8Array) {
      out.push(BYTES);
      escaped(part, out);
    } else if (typeof part === "string") {
      out.push(STRING);
      escaped(new TextEncoder().encode(part), out);
    } else if (typeof part === "number") {
      if (Number.isNaN(part)) throw new KvKeyError("NaN cannot be part of a key");
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, part === 0 ? 0 : part);
      const bytes = new Uint8Array(view.buffer);
      if (bytes[0]! & 0x80) for (let i = 0; i < 8; i++) bytes[i] = ~bytes[i]! & 0xff;
      else bytes[0]! |= 0x80;
      out.push(NUMBER, ...bytes);
    } else if (typeof part === "bigint") {
      const negative = part < 0n;
      let hex = (negative ? -part : part).toString(16);
      if (hex.length % 2) hex = "0" + hex;
      const magnitude = hex.match(/../g)!.map((h) => Number.parseInt(h, 16));
      if (magnitude.length > 255) throw new KvKeyError("A bigint key part is too large");
      if (negative) out.push(BIGINT, 0x00, 255 - magnitude.length, ...magnitude.map((b) => ~b & 0xff));
      else out.push(BIGINT, 0x01, magnitude.length, ...magnitude);
    } else if (typeof part === "boolean") out.push(BOOLEAN, part ? 1 : 0);
    else throw new KvKeyError(`A key part cannot be ${part === null ? "null" : typeof part}: use a string, number, bigint, boolean or Uint8Array`);
  }
  return new Uint8Array(out);
}

function unescaped(bytes: Uint8Array, at: number): [Uint8Array, number] {
  const out: number[] = [];
  let i = at;
  for (;;) {
    const b = bytes[i++];
    if (b === undefined) throw new KvKeyError("A stored key is damaged");
    if (b !== 0) out.push(b);
    else if (bytes[i] === 0xff) {
      out.push(0);
      i++;
    } else return [new Uint8Array(out), i];
  }
}

export function decodeKey(bytes: Uint8Array): KvKeyPart[] {
  const parts: KvKeyPart[] = [];
  let i = 0;
  while (i < bytes.length) {
    const tag = bytes[i++];
    if (tag === BYTES || tag === STRING) {
      const [value, next] = unescaped(bytes, i);
      parts.push(tag === BYTES ? value : new TextDecoder().decode(value));
      i = next;
    } else if (tag === NUMBER) {
      const raw = bytes.slice(i, i + 8);
      if (raw[0]! & 0x80) raw[0]! &= 0x7f;
      else for (let j = 0; j < 8; j++) raw[j] = ~raw[j]! & 0xff;
      parts.push(new DataView(raw.buffer).getFloat64(0));
      i += 8;
    } else if (tag === BIGINT) {
      const negative = bytes[i] === 0;
      const length = negative ? 255 - bytes[i + 1]! : bytes[i + 1]!;
      const magnitude = bytes.slice(i + 2, i + 2 + length).map((b) => (negative ? ~b & 0xff : b));
      const value = BigInt(`0x${[...magnitude].map((b) => b.toString(16).padStart(2, "0")).join("") || "0"}`);
      parts.push(negative ? -value : value);
      i += 2 + length;
    } else if (tag === BOOLEAN) parts.push(bytes[i++] === 1);
    else throw new KvKeyError("A stored key is damaged");
  }
  return parts;
}

/** The smallest key that sorts after every key starting with `prefix` (for a prefix's range end). */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + 1);
  out.set(prefix);
  out[prefix.length] = 0xff;
  return out;
}
