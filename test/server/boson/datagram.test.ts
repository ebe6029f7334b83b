// The v2 datagram codec at its edges (server/boson/v2/datagram.ts): the smallest and largest
// datagrams read and one byte past each, the 1,500-byte send limit at and one past, what is refused
// before any decryption (our own ID, an ID that is no public key), a box that does not open, and the
// per-peer key cache (most recently used kept, the oldest evicted at its size).
import { expect, test } from "bun:test";
import { ed25519 } from "@noble/curves/ed25519.js";
import { Id } from "../../../server/boson/id.ts";
import { KeyPair } from "../../../server/boson/keys.ts";
import { DatagramCodec, MAX_DATAGRAM_IN, MAX_DATAGRAM_OUT, MIN_DATAGRAM } from "../../../server/boson/v2/datagram.ts";
import { type Message, PC2_VERSION, ProtocolError } from "../../../server/boson/v2/messages.ts";
import { caught } from "../../helpers/refusal.ts";

const a = KeyPair.random();
const b = KeyPair.random();
// As the node sends it: always with its version (a Java node drops anything under 61 bytes).
const ping: Message = { txid: 1, version: PC2_VERSION, type: "request", request: { method: "ping" } };

const refusal = (run: () => unknown): string => caught(ProtocolError, run).message;

/** An immutable value of `n` bytes to store. */
const store = (n: number): Message => ({
  txid: 2,
  version: PC2_VERSION,
  type: "request",
  request: { method: "store_value", token: 1, cas: -1, value: { publicKey: null, recipient: null, nonce: null, seq: 0, signature: null, data: new Uint8Array(n) } },
});

/** A store_value request whose datagram is exactly `size` bytes. */
function datagramOfSize(codec: DatagramCodec, to: Id, size: number): Uint8Array {
  // CBOR's byte-string head grows at 24 and 256 bytes; step until the size is met exactly.
  for (let n = 0; n < 2000; n++) {
    const out = (() => {
      try {
        return codec.encode(to, store(n));
      } catch {
        return null;
      }
    })();
    if (out?.length === size) return out;
  }
  throw new Error(`no datagram of ${size} bytes`);
}

test("a ping clears the 61-byte minimum; 61 bytes are read, 60 refused unread; the receiver opens the ping", () => {
  const out = new DatagramCodec(a).encode(b.id, ping);
  expect(out.length).toBe(64);
  expect(MIN_DATAGRAM).toBe(61);
  expect(Buffer.from(out.subarray(0, 32))).toEqual(Buffer.from(a.id.bytes));
  const received = new DatagramCodec(b).decode(out);
  expect(received.sender.equals(a.id)).toBe(true);
  expect(received.message).toEqual(ping);
  const codec = new DatagramCodec(b);
  expect(refusal(() => codec.decode(out.subarray(0, MIN_DATAGRAM)))).toBe("does not decrypt");
  expect(refusal(() => codec.decode(out.subarray(0, MIN_DATAGRAM - 1)))).toBe("too short");
});

test("the read limit is 5,120 bytes: at it the box is tried, past it the datagram is refused unread", () => {
  const codec = new DatagramCodec(b);
  const big = new Uint8Array(MAX_DATAGRAM_IN);
  big.set(a.id.bytes);
  expect(refusal(() => codec.decode(big))).toBe("does not decrypt");
  const bigger = new Uint8Array(MAX_DATAGRAM_IN + 1);
  bigger.set(a.id.bytes);
  expect(refusal(() => codec.decode(bigger))).toBe("too long");
});

test("nothing over 1,500 bytes is sent: exactly 1,500 goes, 1,501 is refused with the sizes", () => {
  const codec = new DatagramCodec(a);
  const max = datagramOfSize(codec, b.id, MAX_DATAGRAM_OUT);
  expect(new DatagramCodec(b).decode(max).message).toMatchObject({ type: "request", request: { method: "store_value" } });
  const dataAtMax = (new DatagramCodec(b).decode(max).message as { request: { value: { data: Uint8Array } } }).request.value.data.length;
  expect(refusal(() => codec.encode(b.id, store(dataAtMax + 1)))).toBe(`a datagram of ${MAX_DATAGRAM_OUT + 1} bytes is over the ${MAX_DATAGRAM_OUT}-byte limit`);
});

test("refused before decrypting: a datagram under our own ID, and a sender ID that is no public key", () => {
  const out = new DatagramCodec(a).encode(b.id, ping);
  expect(refusal(() => new DatagramCodec(a).decode(out))).toBe("from our own ID");
  // An ID that is not a point on the curve has no X25519 key.
  let notAKey: Uint8Array | null = null;
  for (let i = 0; i < 256 && !notAKey; i++) {
    const candidate = new Uint8Array(32).fill(i);
    try {
      ed25519.utils.toMontgomery(candidate);
    } catch {
      notAKey = candidate;
    }
  }
  expect(notAKey).not.toBeNull();
  const forged = new Uint8Array(out);
  forged.set(notAKey!, 0);
  expect(refusal(() => new DatagramCodec(b).decode(forged))).toBe("sender is not a public key");
});

test("a box changed by one bit, or sealed for someone else, does not decrypt", () => {
  const out = new DatagramCodec(a).encode(b.id, ping);
  const flipped = new Uint8Array(out);
  flipped[40]! ^= 1;
  expect(refusal(() => new DatagramCodec(b).decode(flipped))).toBe("does not decrypt");
  const c = KeyPair.random();
  expect(refusal(() => new DatagramCodec(c).decode(out))).toBe("does not decrypt");
});

test("the pair cache keeps the most recently used peers: at its size, the least recently used goes", () => {
  const codec = new DatagramCodec(a, 2);
  const peers = () => [...(codec as unknown as { pairs: Map<string, unknown> }).pairs.keys()];
  const hex = (k: KeyPair) => Buffer.from(k.id.bytes).toString("hex");
  const [p, q, r] = [KeyPair.random(), KeyPair.random(), KeyPair.random()];
  codec.encode(p.id, ping);
  codec.encode(q.id, ping);
  expect(peers()).toEqual([hex(p), hex(q)]);
  // p used again: q is now the oldest, and goes when r comes.
  codec.decode(new DatagramCodec(p).encode(a.id, ping));
  expect(peers()).toEqual([hex(q), hex(p)]);
  codec.encode(r.id, ping);
  expect(peers()).toEqual([hex(p), hex(r)]);
  // An evicted peer's datagrams still open (its key is derived again).
  expect(codec.decode(new DatagramCodec(q).encode(a.id, ping)).sender.equals(q.id)).toBe(true);
  expect(peers()).toEqual([hex(r), hex(q)]);
  expect(Id.of(Buffer.from(peers()[1]!, "hex")).equals(q.id)).toBe(true);
});
