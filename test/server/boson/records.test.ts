// v2 record rules at their edges (server/boson/v2/records.ts; the vectors test holds the reference's
// bytes): what makes a value or a peer record valid, every field its signature covers, the ranges a
// signer accepts, encrypted values opened only by their recipient, and alt URLs signed in NFC.
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { Id } from "../../../server/boson/id.ts";
import { KeyPair, verifySignature } from "../../../server/boson/keys.ts";
import type { Value } from "../../../server/boson/v2/messages.ts";
import { immutableValue, openValue, peerIsValid, signedPeer, signedValue, valueId, valueIsValid } from "../../../server/boson/v2/records.ts";

const owner = KeyPair.random();
const reader = KeyPair.random();
const NONCE = new Uint8Array(24).fill(6);
const data = new TextEncoder().encode("hello, boson");
const sha256 = (...parts: Uint8Array[]) => new Uint8Array(parts.reduce((h, p) => h.update(p), createHash("sha256")).digest());

describe("values", () => {
  test("IDs: an immutable value's is the SHA-256 of its data; a signed one's of its owner's key and nonce", () => {
    expect(valueId(immutableValue(data)).bytes).toEqual(sha256(data));
    const v = signedValue(owner, data, { nonce: NONCE });
    expect(valueId(v).bytes).toEqual(sha256(owner.id.bytes, NONCE));
    expect(valueId(signedValue(owner, new Uint8Array(3), { nonce: NONCE, seq: 9 })).equals(valueId(v))).toBe(true);
  });

  test("an immutable value is valid bare; with a recipient, nonce or signature it is not", () => {
    const v = immutableValue(data);
    expect(v).toEqual({ publicKey: null, recipient: null, nonce: null, seq: 0, signature: null, data });
    expect(valueIsValid(v)).toBe(true);
    expect(valueIsValid({ ...v, recipient: reader.id })).toBe(false);
    expect(valueIsValid({ ...v, nonce: NONCE })).toBe(false);
    expect(valueIsValid({ ...v, signature: new Uint8Array(64) })).toBe(false);
  });

  test("a signed value covers its nonce, sequence number, data and recipient; a missing or short part is invalid", () => {
    const v = signedValue(owner, data, { seq: 5, nonce: NONCE });
    expect(valueIsValid(v)).toBe(true);
    const changed: Partial<Value>[] = [
      { seq: 6 },
      { data: new TextEncoder().encode("hello, bosom") },
      { nonce: new Uint8Array(24).fill(7) },
      { recipient: reader.id },
      { publicKey: reader.id },
      { nonce: null },
      { nonce: NONCE.subarray(1) },
      { signature: null },
      { signature: new Uint8Array(v.signature!).map((b, i) => (i === 0 ? b ^ 1 : b)) },
      { seq: -1 },
    ];
    for (const change of changed) expect([change, valueIsValid({ ...v, ...change })]).toEqual([change, false]);
    expect(valueIsValid(signedValue(owner, data, { seq: 0 }))).toBe(true);
    expect(valueIsValid(signedValue(owner, data, { seq: 2 ** 31 - 1 }))).toBe(true);
  });

  test("the signed bytes are nonce ‖ seq (4 bytes, big-endian) ‖ data; signed over a short nonce or a negative seq, a value is still refused", () => {
    const v = signedValue(owner, data, { seq: 258, nonce: NONCE });
    expect(verifySignature(owner.id, Uint8Array.of(...NONCE, 0, 0, 1, 2, ...data), v.signature!)).toBe(true);
    const int32be = (n: number) => {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, n, false);
      return b;
    };
    const signedOver = (nonce: Uint8Array, seq: number): Value => ({ ...v, nonce, seq, signature: owner.sign(Uint8Array.of(...nonce, ...int32be(seq), ...v.data)) });
    expect(valueIsValid(signedOver(NONCE, 7))).toBe(true);
    expect(valueIsValid(signedOver(NONCE.subarray(1), 7))).toBe(false);
    expect(valueIsValid(signedOver(Uint8Array.of(...NONCE, 0), 7))).toBe(false);
    expect(valueIsValid(signedOver(NONCE, -1))).toBe(false);
  });

  test("a signer refuses a nonce that is not 24 bytes and a sequence number outside 0 … 2^31−1", () => {
    for (const nonce of [new Uint8Array(23), new Uint8Array(25)]) expect(() => signedValue(owner, data, { nonce })).toThrow("a value nonce is 24 bytes");
    for (const seq of [-1, 2 ** 31, 1.5]) expect(() => signedValue(owner, data, { seq })).toThrow("seq is a non-negative int32");
  });

  test("an encrypted value opens for its recipient only, and only unchanged", () => {
    const v = signedValue(owner, data, { recipient: reader.id, nonce: NONCE });
    expect(v.data).not.toEqual(data);
    expect(v.recipient!.equals(reader.id)).toBe(true);
    expect(valueIsValid(v)).toBe(true);
    expect(openValue(v, reader)).toEqual(data);
    expect(openValue(v, owner)).toBeNull();
    expect(openValue(v, KeyPair.random())).toBeNull();
    expect(openValue({ ...v, data: v.data.map((b, i) => (i === 0 ? b ^ 1 : b)) }, reader)).toBeNull();
    expect(openValue({ ...v, recipient: null }, reader)).toBeNull();
    expect(openValue({ ...v, nonce: null }, reader)).toBeNull();
    expect(openValue(signedValue(owner, data), reader)).toBeNull();
    expect(openValue(immutableValue(data), reader)).toBeNull();
  });
});

describe("peer records", () => {
  const peer = KeyPair.random();
  const node = Id.random();
  const origin = Id.random();

  test("signed by the peer key over node, origin, port and alt; changing any of them invalidates it", () => {
    const p = signedPeer(peer, node, 25001, { origin, alt: "https://n.example" });
    expect(p).toMatchObject({ port: 25001, alt: "https://n.example" });
    expect(p.peerId.equals(peer.id) && p.nodeId.equals(node) && p.origin.equals(origin)).toBe(true);
    expect(peerIsValid(p)).toBe(true);
    for (const change of [{ port: 25002 }, { alt: "https://m.example" }, { alt: null }, { origin: node }, { nodeId: origin }, { peerId: KeyPair.random().id }])
      expect([change, peerIsValid({ ...p, ...change })]).toEqual([change, false]);
  });

  test("the origin defaults to the node; no alt signs no alt; ports 1 and 65535 are fine, 0 and 65536 refused", () => {
    const p = signedPeer(peer, node, 1);
    expect(p.origin.equals(node)).toBe(true);
    expect(p.alt).toBeNull();
    expect(peerIsValid(p)).toBe(true);
    expect(peerIsValid(signedPeer(peer, node, 65535, { alt: "" }))).toBe(true);
    expect(signedPeer(peer, node, 65535, { alt: "" }).alt).toBeNull();
    for (const port of [0, 65536, 80.5]) expect(() => signedPeer(peer, node, port)).toThrow("port is 1-65535");
  });

  test("an alt URL is signed in NFC: a decomposed spelling reads and verifies as the composed one", () => {
    const composed = "https://caf\u00e9.example";
    const decomposed = "https://cafe\u0301.example";
    const p = signedPeer(peer, node, 443, { alt: decomposed });
    expect(p.alt).toBe(composed);
    expect(peerIsValid(p)).toBe(true);
    expect(peerIsValid({ ...p, alt: decomposed })).toBe(true);
    expect(p.signature).toEqual(signedPeer(peer, node, 443, { alt: composed }).signature);
  });
});
