// v2 record rules (Boson.Core 2.0.7 Value and PeerInfo): how values get their IDs, what their
// owners sign, how encrypted values are boxed, and how peer announcements are signed.
import { createHash, randomBytes } from "node:crypto";
import { open, seal, sharedBoxKey } from "../crypto-box.ts";
import { Id } from "../id.ts";
import { encryptionKeyOf, type KeyPair, verifySignature } from "../keys.ts";
import type { PeerRecord, Value } from "./messages.ts";

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const int32be = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, n, false);
  return b;
};
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** Immutable: SHA-256 of the data. Mutable and encrypted: SHA-256 of owner key ‖ nonce. */
export function valueId(v: Value): Id {
  return Id.of(v.publicKey ? sha256(v.publicKey.bytes, v.nonce!) : sha256(v.data));
}

function valueSignData(v: Value): Uint8Array {
  return concat(...(v.recipient ? [v.recipient.bytes] : []), v.nonce!, int32be(v.seq), v.data);
}

export function immutableValue(data: Uint8Array): Value {
  return { publicKey: null, recipient: null, nonce: null, seq: 0, signature: null, data: new Uint8Array(data) };
}

/** A mutable value signed by `owner`; with `recipient`, the data is boxed to that ID first. */
export function signedValue(owner: KeyPair, data: Uint8Array, opts: { seq?: number; nonce?: Uint8Array; recipient?: Id } = {}): Value {
  const nonce = opts.nonce ?? new Uint8Array(randomBytes(24));
  const seq = opts.seq ?? 0;
  if (nonce.length !== 24) throw new RangeError("a value nonce is 24 bytes");
  if (!Number.isInteger(seq) || seq < 0 || seq > 2 ** 31 - 1) throw new RangeError("seq is a non-negative int32");
  const recipient = opts.recipient ?? null;
  const body = recipient ? seal(sharedBoxKey(encryptionKeyOf(recipient), owner.encryptionSecret), nonce, data) : new Uint8Array(data);
  const v: Value = { publicKey: owner.id, recipient, nonce, seq, signature: null, data: body };
  v.signature = owner.sign(valueSignData(v));
  return v;
}

/** Whether a value is well-formed and, if mutable, signed by its owner. */
export function valueIsValid(v: Value): boolean {
  if (!v.publicKey) return v.recipient === null && v.nonce === null && v.signature === null;
  if (!v.nonce || v.nonce.length !== 24 || !v.signature || v.seq < 0) return false;
  return verifySignature(v.publicKey, valueSignData(v), v.signature);
}

/** The plaintext of an encrypted value, for its recipient; null if it is not for them or does not open. */
export function openValue(v: Value, recipient: KeyPair): Uint8Array | null {
  if (!v.publicKey || !v.recipient || !v.nonce || !v.recipient.equals(recipient.id)) return null;
  return open(sharedBoxKey(encryptionKeyOf(v.publicKey), recipient.encryptionSecret), v.nonce, v.data);
}

function peerSignData(nodeId: Id, origin: Id, port: number, alt: string | null): Uint8Array {
  const portBytes = Uint8Array.of(port >> 8, port & 0xff);
  return concat(nodeId.bytes, origin.bytes, portBytes, ...(alt ? [new TextEncoder().encode(alt.normalize("NFC"))] : []));
}

/** A peer record signed by the peer (service) key: `nodeId` serves it at `port` (or `alt`); `origin` announced it. */
export function signedPeer(peer: KeyPair, nodeId: Id, port: number, opts: { origin?: Id; alt?: string | null } = {}): PeerRecord {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError("port is 1-65535");
  const origin = opts.origin ?? nodeId;
  const alt = opts.alt ? opts.alt.normalize("NFC") : null;
  return { peerId: peer.id, nodeId, origin, port, alt, signature: peer.sign(peerSignData(nodeId, origin, port, alt)) };
}

export function peerIsValid(p: PeerRecord): boolean {
  return verifySignature(p.peerId, peerSignData(p.nodeId, p.origin, p.port, p.alt), p.signature);
}
