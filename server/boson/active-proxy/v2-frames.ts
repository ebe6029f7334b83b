// Active Proxy v2 framing (Elastos Carrier / Boson 2.0.x): every frame is a 2-byte big-endian total
// length (these 2 bytes included), a type byte picked at random inside its category's range (bit 7
// for an ACK), and a body. The first server→client frame of a connection is the challenge, with no
// type byte. Encrypted bodies use crypto_box with one nonce per key for the whole connection — the
// v2 protocol's choice, kept in this file (see docs/network.md).
import { randomBytes, randomInt } from "node:crypto";
import { open, seal } from "../crypto-box.ts";

export const MAX_FRAME = 0xffff;
/** Largest DATA plaintext: 65535 − 3 header bytes − 16 bytes of tag. */
export const MAX_DATA_PLAINTEXT = MAX_FRAME - 3 - 16;

export type Category = "auth" | "attach" | "ping" | "connect" | "disconnect" | "data" | "error";
const RANGES: Record<Category, [number, number]> = {
  auth: [0x00, 0x07],
  attach: [0x08, 0x0f],
  ping: [0x10, 0x1f],
  connect: [0x20, 0x2f],
  disconnect: [0x30, 0x3f],
  data: [0x40, 0x6f],
  error: [0x70, 0x7f],
};

export class FrameError extends Error {}

/** A random type byte of the category (or a fixed pick, for byte-exact vectors). */
export function typeByte(category: Category, ack: boolean, pick: "random" | "min" = "random"): number {
  if (ack && (category === "data" || category === "error")) throw new FrameError(`${category} has no ACK`);
  const [lo, hi] = RANGES[category];
  const b = pick === "min" ? lo : randomInt(lo, hi + 1);
  return ack ? b | 0x80 : b;
}

export function classify(type: number): { category: Category; ack: boolean } {
  const ack = (type & 0x80) !== 0;
  const b = type & 0x7f;
  const category = (Object.keys(RANGES) as Category[]).find((c) => b >= RANGES[c][0] && b <= RANGES[c][1])!;
  if (ack && (category === "data" || category === "error")) throw new FrameError(`an ACK bit on ${category}`);
  return { category, ack };
}

/** size ‖ type ‖ body ‖ padding. */
export function frame(type: number, body: Uint8Array, padding: Uint8Array = new Uint8Array(0)): Uint8Array {
  const size = 3 + body.length + padding.length;
  if (size > MAX_FRAME) throw new FrameError(`a frame of ${size} bytes is over ${MAX_FRAME}`);
  const out = new Uint8Array(size);
  out[0] = size >> 8;
  out[1] = size & 0xff;
  out[2] = type;
  out.set(body, 3);
  out.set(padding, 3 + body.length);
  return out;
}

/** 0-255 random bytes, as the reference pads. */
export function randomPadding(): Uint8Array {
  return new Uint8Array(randomBytes(randomInt(0, 256)));
}

export function challengeFrame(challenge: Uint8Array): Uint8Array {
  if (challenge.length < 32 || challenge.length > 255) throw new FrameError("a challenge is 32-255 bytes");
  const out = new Uint8Array(2 + challenge.length);
  out[0] = out.length >> 8;
  out[1] = out.length & 0xff;
  out.set(challenge, 2);
  return out;
}

/** A nonce-keyed box context: one key, one nonce, for every frame of the connection (v2). */
export interface BoxContext {
  key: Uint8Array;
  nonce: Uint8Array;
}

export function sealWith(ctx: BoxContext, plain: Uint8Array): Uint8Array {
  return seal(ctx.key, ctx.nonce, plain);
}

export function openWith(ctx: BoxContext, boxed: Uint8Array): Uint8Array {
  const plain = open(ctx.key, ctx.nonce, boxed);
  if (!plain) throw new FrameError("a frame does not decrypt");
  return plain;
}

/** CONNECT's box: 19 bytes of plaintext and the 16-byte tag (random padding may follow). */
export const CONNECT_BOX_BYTES = 19 + 16;

/** CONNECT's plaintext: addrLen (4 or 16) ‖ the address left-aligned in 16 bytes ‖ port. */
export function connectBody(address: Uint8Array, port: number): Uint8Array {
  if (address.length !== 4 && address.length !== 16) throw new FrameError("an address is 4 or 16 bytes");
  const out = new Uint8Array(19);
  out[0] = address.length;
  out.set(address, 1);
  out[17] = port >> 8;
  out[18] = port & 0xff;
  return out;
}

export function parseConnectBody(plain: Uint8Array): { address: Uint8Array; port: number } {
  if (plain.length !== 19 || (plain[0] !== 4 && plain[0] !== 16)) throw new FrameError("a malformed CONNECT");
  return { address: plain.slice(1, 1 + plain[0]!), port: (plain[17]! << 8) | plain[18]! };
}

/** Incremental reader: bytes in, whole frames out (the first one may be the type-less challenge). */
export class FrameReader {
  private buf = new Uint8Array(0);
  constructor(private expectChallenge: boolean) {}

  /** The declared size of the frame being read (0 if not known yet), including bytes not yet received. */
  pendingSize(extra?: Uint8Array): number {
    const b = this.buf.length >= 2 ? this.buf : extra && this.buf.length + extra.length >= 2 ? Uint8Array.from([...this.buf, ...extra.subarray(0, 2)]) : null;
    return b ? (b[0]! << 8) | b[1]! : 0;
  }

  push(chunk: Uint8Array): { challenge?: Uint8Array; frames: { type: number; body: Uint8Array }[] } {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf);
    joined.set(chunk, this.buf.length);
    this.buf = joined;
    const out: { challenge?: Uint8Array; frames: { type: number; body: Uint8Array }[] } = { frames: [] };
    for (;;) {
      if (this.buf.length < 2) break;
      const size = (this.buf[0]! << 8) | this.buf[1]!;
      if (size < (this.expectChallenge ? 34 : 3)) throw new FrameError(`a frame size of ${size}`);
      if (this.buf.length < size) break;
      if (this.expectChallenge) {
        out.challenge = this.buf.slice(2, size);
        this.expectChallenge = false;
      } else out.frames.push({ type: this.buf[2]!, body: this.buf.slice(3, size) });
      this.buf = this.buf.slice(size);
    }
    return out;
  }
}
