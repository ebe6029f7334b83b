// A v2 DHT datagram: the sender's 32-byte ID in clear, then crypto_box(CBOR message) from the
// sender's key to the receiver's. v2 sends no nonce: both sides use the first 24 bytes of the XOR
// of their X25519 public keys, one nonce per pair for every message both ways. That reuse is the
// v2 protocol (Boson.Core 2.0.7); it stays in this file so a v3 codec can sit beside it.
import { open, seal, sharedBoxKey, BOX_OVERHEAD, NONCE_BYTES } from "../crypto-box.ts";
import { Id } from "../id.ts";
import { encryptionKeyOf, type KeyPair } from "../keys.ts";
import { decodeMessage } from "./message-decoder.ts";
import { encodeMessage, type Message, ProtocolError } from "./messages.ts";

/** The Java node drops anything shorter (a 13-byte CBOR ping, the ID, the tag). */
export const MIN_DATAGRAM = 13 + 32 + BOX_OVERHEAD;
/** The Java node reads into a 5120-byte buffer. */
export const MAX_DATAGRAM_IN = 5120;
/** The Java node's send buffer is 1500 bytes: nothing we send may be larger. */
export const MAX_DATAGRAM_OUT = 1500;

interface PairContext {
  key: Uint8Array;
  nonce: Uint8Array;
}

export class DatagramCodec {
  private readonly pairs = new Map<string, PairContext>();

  constructor(
    private readonly keys: KeyPair,
    private readonly maxPairs = 8192,
  ) {}

  /** The pair nonce: first 24 bytes of (our X25519 public key XOR theirs). */
  static pairNonce(a: Uint8Array, b: Uint8Array): Uint8Array {
    const nonce = new Uint8Array(NONCE_BYTES);
    for (let i = 0; i < NONCE_BYTES; i++) nonce[i] = a[i]! ^ b[i]!;
    return nonce;
  }

  private pair(peer: Id): PairContext {
    const hex = Buffer.from(peer.bytes).toString("hex");
    let ctx = this.pairs.get(hex);
    if (ctx) {
      // Most recently used last: the map's first entries are evicted first.
      this.pairs.delete(hex);
      this.pairs.set(hex, ctx);
      return ctx;
    }
    const theirs = encryptionKeyOf(peer);
    ctx = { key: sharedBoxKey(theirs, this.keys.encryptionSecret), nonce: DatagramCodec.pairNonce(this.keys.encryptionPublic, theirs) };
    if (this.pairs.size >= this.maxPairs) this.pairs.delete(this.pairs.keys().next().value!);
    this.pairs.set(hex, ctx);
    return ctx;
  }

  encode(receiver: Id, message: Message): Uint8Array {
    const ctx = this.pair(receiver);
    const boxed = seal(ctx.key, ctx.nonce, encodeMessage(message));
    const out = new Uint8Array(32 + boxed.length);
    out.set(this.keys.id.bytes, 0);
    out.set(boxed, 32);
    if (out.length > MAX_DATAGRAM_OUT) throw new ProtocolError(`a datagram of ${out.length} bytes is over the ${MAX_DATAGRAM_OUT}-byte limit`);
    return out;
  }

  /** The sender and its message; throws ProtocolError for anything that is not one (short, unboxable, bad CBOR). */
  decode(datagram: Uint8Array): { sender: Id; message: Message } {
    if (datagram.length < MIN_DATAGRAM) throw new ProtocolError("too short");
    if (datagram.length > MAX_DATAGRAM_IN) throw new ProtocolError("too long");
    let sender: Id;
    try {
      sender = Id.of(datagram.subarray(0, 32));
    } catch {
      throw new ProtocolError("bad sender");
    }
    if (sender.equals(this.keys.id)) throw new ProtocolError("from our own ID");
    let ctx: PairContext;
    try {
      ctx = this.pair(sender);
    } catch {
      throw new ProtocolError("sender is not a public key");
    }
    const plain = open(ctx.key, ctx.nonce, datagram.subarray(32));
    if (!plain) throw new ProtocolError("does not decrypt");
    return { sender, message: decodeMessage(plain) };
  }
}
