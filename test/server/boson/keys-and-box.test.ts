// Node keys and crypto_box at their edges (server/boson/keys.ts, crypto-box.ts; the vectors test
// holds libsodium's bytes): key sizes at and one off, signatures that must not verify (wrong length,
// another key, a key that is no curve point, a changed message), the verifier's key cache past its
// bound, and boxes too short to hold a tag.
import { expect, test } from "bun:test";
import { BOX_OVERHEAD, open, seal, sharedBoxKey } from "../../../server/boson/crypto-box.ts";
import { Id } from "../../../server/boson/id.ts";
import { cachedVerifierKeys, encryptionKeyOf, KeyPair, VERIFIER_CACHE, verifySignature } from "../../../server/boson/keys.ts";

const message = new TextEncoder().encode("a challenge");

test("a seed is 32 bytes and a libsodium secret key 64: one byte off either way is refused", () => {
  for (const n of [31, 33]) expect(() => new KeyPair(new Uint8Array(n))).toThrow("an Ed25519 seed is 32 bytes");
  for (const n of [63, 65]) expect(() => KeyPair.fromSecretKey(new Uint8Array(n))).toThrow("a libsodium Ed25519 secret key is 64 bytes");
  const k = KeyPair.random();
  expect(KeyPair.random().id.equals(k.id)).toBe(false);
  expect(k.publicKey).toEqual(k.id.bytes);
  expect(encryptionKeyOf(k.id)).toEqual(k.encryptionPublic);
  // A libsodium secret key whose second half is another key's public key.
  const other = KeyPair.random();
  const seed = new Uint8Array(32).fill(3);
  expect(() => KeyPair.fromSecretKey(Uint8Array.of(...seed, ...other.publicKey))).toThrow("the secret key's public half does not match its seed");
  expect(KeyPair.fromSecretKey(Uint8Array.of(...seed, ...new KeyPair(seed).publicKey)).id.equals(new KeyPair(seed).id)).toBe(true);
});

test("a signature verifies for its signer and message only, and only at 64 bytes", () => {
  const k = KeyPair.random();
  const sig = k.sign(message);
  expect(sig.length).toBe(64);
  expect(verifySignature(k.id, message, sig)).toBe(true);
  expect(verifySignature(KeyPair.random().id, message, sig)).toBe(false);
  expect(verifySignature(k.id, new TextEncoder().encode("a challengf"), sig)).toBe(false);
  expect(verifySignature(k.id, message, sig.subarray(0, 63))).toBe(false);
  expect(verifySignature(k.id, message, Uint8Array.of(...sig, 0))).toBe(false);
  expect(
    verifySignature(
      k.id,
      message,
      sig.map((b, i) => (i === 63 ? b ^ 1 : b)),
    ),
  ).toBe(false);
  // An ID that is not a point on the curve: nobody can sign for it.
  expect(verifySignature(Id.of(new Uint8Array(32).fill(0xff)), message, sig)).toBe(false);
});

test("past the verifier's key cache bound (4,096 keys, then it starts again) every answer stays right", () => {
  const first = KeyPair.random();
  const firstSig = first.sign(message);
  expect(verifySignature(first.id, message, firstSig)).toBe(true);
  // 4,100 more signers: the cache is cleared on the way, every answer stays right.
  const signers = Array.from({ length: 4100 }, () => KeyPair.random());
  const held: number[] = [];
  for (const s of signers) {
    expect(verifySignature(s.id, message, s.sign(message))).toBe(true);
    held.push(cachedVerifierKeys());
  }
  // Each new signer's key is kept, up to the bound and never past it; a signer seen again adds none.
  expect(VERIFIER_CACHE).toBe(4096);
  expect(Math.max(...held)).toBe(VERIFIER_CACHE);
  const at = held.indexOf(VERIFIER_CACHE);
  expect(held[at + 1]).toBe(1);
  expect(held.slice(0, at).every((n, i) => i === 0 || n === held[i - 1]! + 1)).toBe(true);
  const before = cachedVerifierKeys();
  expect(verifySignature(signers.at(-1)!.id, message, signers.at(-1)!.sign(message))).toBe(true);
  expect(cachedVerifierKeys()).toBe(before);
  expect(verifySignature(first.id, message, firstSig)).toBe(true);
  expect(verifySignature(signers[0]!.id, message, firstSig)).toBe(false);
}, 60_000);

test("both sides derive the same box key; a box opens with it and nothing else; anything shorter than a tag is refused", () => {
  const [a, b] = [KeyPair.random(), KeyPair.random()];
  const ab = sharedBoxKey(b.encryptionPublic, a.encryptionSecret);
  expect(sharedBoxKey(a.encryptionPublic, b.encryptionSecret)).toEqual(ab);
  const nonce = new Uint8Array(24).fill(1);
  const boxed = seal(ab, nonce, message);
  expect(boxed.length).toBe(message.length + BOX_OVERHEAD);
  expect(BOX_OVERHEAD).toBe(16);
  expect(open(ab, nonce, boxed)).toEqual(message);
  expect(open(ab, new Uint8Array(24).fill(2), boxed)).toBeNull();
  expect(open(sharedBoxKey(KeyPair.random().encryptionPublic, a.encryptionSecret), nonce, boxed)).toBeNull();
  const empty = seal(ab, nonce, new Uint8Array(0));
  expect(empty.length).toBe(16);
  expect(open(ab, nonce, empty)).toEqual(new Uint8Array(0));
  expect(open(ab, nonce, empty.subarray(0, 15))).toBeNull();
  expect(open(ab, nonce, new Uint8Array(0))).toBeNull();
});
