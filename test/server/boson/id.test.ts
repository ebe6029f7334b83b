// Boson IDs at their edges (server/boson/id.ts; the vectors test holds known IDs and distances):
// each parse refusal's words, copies that never share bytes, the XOR metric at both ends, and the
// random IDs a bucket refresh asks for, bit for bit at depths 0, 1, 8, 255 and 256.
import { expect, test } from "bun:test";
import { base58 } from "@scure/base";
import { getBit, Id, InvalidIdError } from "../../../server/boson/id.ts";
import { caught } from "../../helpers/refusal.ts";

const zero = Id.of(new Uint8Array(32));
const withBit = (bit: number) => {
  const b = new Uint8Array(32);
  b[bit >> 3] = 1 << (7 - (bit & 7));
  return Id.of(b);
};

const refusal = (run: () => unknown): string => caught(InvalidIdError, run).message;

test("each way of not being an ID says what is wrong", () => {
  expect(refusal(() => Id.of(new Uint8Array(31)))).toBe("an ID is 32 bytes, not 31");
  expect(refusal(() => Id.of(new Uint8Array(33)))).toBe("an ID is 32 bytes, not 33");
  expect(refusal(() => Id.parse(42 as unknown as string))).toBe("an ID is text");
  expect(refusal(() => Id.parse(base58.encode(new Uint8Array(31).fill(9))))).toBe("an ID is 32 bytes, not 31");
  expect(refusal(() => Id.parse("1".repeat(51)))).toBe("not a Base58 ID");
  expect(refusal(() => Id.parse(` ${zero.toString()}`))).toBe("not a Base58 ID");
  expect(refusal(() => Id.parse(`${zero.toString()} `))).toBe("not a Base58 ID");
  expect(refusal(() => Id.parse(`did:boson:${zero.toHex()}`))).toBe("not a Base58 ID");
  expect(refusal(() => Id.parse(`x${zero.toHex()}`))).toBe("not a Base58 ID");
  expect(refusal(() => Id.parse(`${zero.toHex()}0`))).toBe("not a Base58 ID");
  // 32 bytes whose Base58 is 44 characters; 50 is the longest text looked at.
  const max = Id.of(new Uint8Array(32).fill(0xff));
  expect(Id.parse(max.toString()).equals(max)).toBe(true);
  expect(Id.parse(`0x${"F".repeat(64)}`).equals(max)).toBe(true);
});

test("an ID owns its bytes: changing the array it came from changes nothing; equal IDs compare equal at any offset", () => {
  const source = new Uint8Array(40).fill(3);
  const id = Id.of(source.subarray(4, 36));
  source.fill(4);
  expect(id.bytes).toEqual(new Uint8Array(32).fill(3));
  expect(id.bytes.byteOffset).toBe(0);
  const shifted = Id.of(new Uint8Array(64).fill(3).subarray(16, 48));
  expect(shifted.equals(id)).toBe(true);
  expect(id.equals(withBit(0))).toBe(false);
  expect(id.toString()).toBe(id.toString());
  expect(id.toHex()).toBe(`0x${"03".repeat(32)}`);
  expect(id.toDid()).toBe(`did:boson:${id.toString()}`);
});

test("the XOR metric: 0 for the same ID, 256 when the first bit differs, 1 when only the last does", () => {
  expect(zero.approxDistance(zero)).toBe(0);
  expect(zero.approxDistance(withBit(0))).toBe(256);
  expect(zero.approxDistance(withBit(7))).toBe(249);
  expect(zero.approxDistance(withBit(8))).toBe(248);
  expect(zero.approxDistance(withBit(255))).toBe(1);
  expect(zero.distance(withBit(9)).equals(withBit(9))).toBe(true);
  expect(zero.compareDistance(withBit(200), withBit(100))).toBeLessThan(0);
  expect(zero.compareDistance(withBit(100), withBit(200))).toBeGreaterThan(0);
  expect(zero.compareDistance(withBit(100), withBit(100))).toBe(0);
  expect([0, 1, 7, 8, 255].map((bit) => getBit(withBit(bit).bytes, bit))).toEqual([1, 1, 1, 1, 1]);
  expect([0, 1, 7, 8, 255].map((bit) => getBit(withBit(bit === 255 ? 0 : bit + 1).bytes, bit))).toEqual([0, 0, 0, 0, 0]);
});

test("random IDs in a bucket share the prefix's first bits; a refresh's also differs at the next bit", () => {
  const prefix = Id.of(new Uint8Array(32).fill(0b10110100));
  for (const depth of [0, 1, 8, 13, 255, 256])
    for (let i = 0; i < 20; i++) {
      const inRange = Id.randomInRange(prefix, depth);
      const refresh = Id.randomWithPrefix(prefix, depth);
      for (let bit = 0; bit < depth; bit++) {
        expect(getBit(inRange.bytes, bit)).toBe(getBit(prefix.bytes, bit));
        expect(getBit(refresh.bytes, bit)).toBe(getBit(prefix.bytes, bit));
      }
      if (depth < 256) expect(getBit(refresh.bytes, depth)).toBe(1 - getBit(prefix.bytes, depth));
      if (depth < 256) expect(prefix.approxDistance(refresh)).toBe(256 - depth);
    }
  // The bits after the prefix are random: over 64 draws, both values show up at bit 20.
  const seen = new Set(Array.from({ length: 64 }, () => getBit(Id.randomInRange(prefix, 8).bytes, 20)));
  expect([...seen].sort()).toEqual([0, 1]);
  // Including the first bit after the prefix (bit 8 of a depth-8 range).
  const next = new Set(Array.from({ length: 64 }, () => getBit(Id.randomInRange(prefix, 8).bytes, 8)));
  expect([...next].sort()).toEqual([0, 1]);
  expect(Id.random().equals(Id.random())).toBe(false);
});
