// node_info: what one PC2 node tells another about itself (software version, public URL), signed
// by its node key and carried inside the pair's crypto_box. The box proves the sender holds the key
// of the ID it claims; the signature lets the statement be checked again later, by anyone.
import type { Id } from "./id.ts";
import { type KeyPair, verifySignature } from "./keys.ts";
import type { NodeInfoRecord } from "./v2/messages.ts";

const DOMAIN = new TextEncoder().encode("PC2 node info v1\0");
/** A statement older or newer than this is refused (clocks differ; replays should not live long). */
export const NODE_INFO_MAX_SKEW_S = 10 * 60;

function signData(nodeId: Id, version: string, endpoint: string | null, issuedAt: number): Uint8Array {
  const enc = new TextEncoder();
  const ts = new Uint8Array(4);
  new DataView(ts.buffer).setUint32(0, issuedAt);
  return new Uint8Array(Buffer.concat([DOMAIN, nodeId.bytes, ts, enc.encode(version), Uint8Array.of(0), enc.encode(endpoint ?? "")]));
}

export function signNodeInfo(keys: KeyPair, version: string, endpoint: string | null, issuedAt = Math.floor(Date.now() / 1000)): NodeInfoRecord {
  return { version, endpoint, issuedAt, signature: keys.sign(signData(keys.id, version, endpoint, issuedAt)) };
}

/** Signed by `nodeId`'s key, and issued within the allowed skew of `now` (seconds). */
export function nodeInfoIsValid(nodeId: Id, info: NodeInfoRecord, now = Math.floor(Date.now() / 1000)): boolean {
  if (Math.abs(now - info.issuedAt) > NODE_INFO_MAX_SKEW_S) return false;
  return verifySignature(nodeId, signData(nodeId, info.version, info.endpoint, info.issuedAt), info.signature);
}
