// Active Proxy v2 handshake bodies: AUTH / ATTACH (client → server, under the node keys' box with the
// DHT's pair nonce), AUTH_ACK (server → client), and the session box (two random X25519 session keys,
// the connection's N_conn as nonce). The client proves its Node ID by signing the server's challenge.
import { sharedBoxKey } from "../crypto-box.ts";
import { Id } from "../id.ts";
import { encryptionKeyOf, type KeyPair, verifySignature } from "../keys.ts";
import { DatagramCodec } from "../v2/datagram.ts";
import { type BoxContext, FrameError, openWith, sealWith } from "./v2-frames.ts";

/** The node-key box between this node and a peer node: libsodium box, DHT v2 pair nonce. */
export function nodeContext(own: KeyPair, peer: Id): BoxContext {
  const theirs = encryptionKeyOf(peer);
  return { key: sharedBoxKey(theirs, own.encryptionSecret), nonce: DatagramCodec.pairNonce(own.encryptionPublic, theirs) };
}

/** The session box of one tunnel connection. */
export function sessionContext(peerSessionPublic: Uint8Array, ownSessionSecret: Uint8Array, nConn: Uint8Array): BoxContext {
  if (nConn.length !== 24) throw new FrameError("N_conn is 24 bytes");
  return { key: sharedBoxKey(peerSessionPublic, ownSessionSecret), nonce: nConn };
}

export interface AuthRequest {
  clientId: Id;
  sessionPublic: Uint8Array;
  nConn: Uint8Array;
  domain: string;
}

/** AUTH (with a domain byte) or ATTACH (without) body: clientId ‖ box(sessionPk ‖ N_conn ‖ sig(challenge) [‖ domainLen ‖ domain]). */
export function authBody(client: KeyPair, server: Id, sessionPublic: Uint8Array, nConn: Uint8Array, challenge: Uint8Array, kind: "auth" | "attach", domain = ""): Uint8Array {
  const domainBytes = new TextEncoder().encode(domain);
  if (domainBytes.length > 255) throw new FrameError("a domain is at most 255 bytes");
  const plain = new Uint8Array(32 + 24 + 64 + (kind === "auth" ? 1 + domainBytes.length : 0));
  plain.set(sessionPublic, 0);
  plain.set(nConn, 32);
  plain.set(client.sign(challenge), 56);
  if (kind === "auth") {
    plain[120] = domainBytes.length;
    plain.set(domainBytes, 121);
  }
  const boxed = sealWith(nodeContext(client, server), plain);
  const out = new Uint8Array(32 + boxed.length);
  out.set(client.id.bytes, 0);
  out.set(boxed, 32);
  return out;
}

/** The server's reading of AUTH or ATTACH: decrypts, and checks the challenge signature by the claimed ID. */
export function parseAuth(server: KeyPair, body: Uint8Array, challenge: Uint8Array, kind: "auth" | "attach"): AuthRequest {
  if (body.length < 32 + 16 + 120 + (kind === "auth" ? 1 : 0)) throw new FrameError(`${kind} too short`);
  let clientId: Id;
  try {
    clientId = Id.of(body.subarray(0, 32));
    encryptionKeyOf(clientId);
  } catch {
    throw new FrameError("not a node ID");
  }
  const plain = openWith(nodeContext(server, clientId), body.subarray(32));
  if (!verifySignature(clientId, challenge, plain.subarray(56, 120))) throw new FrameError("the challenge is not signed by that node");
  let domain = "";
  if (kind === "auth") {
    const len = plain[120] ?? 0;
    if (plain.length < 121 + len) throw new FrameError("a truncated domain");
    try {
      domain = new TextDecoder("utf-8", { fatal: true }).decode(plain.subarray(121, 121 + len));
    } catch {
      throw new FrameError("a domain that is not UTF-8");
    }
  }
  return { clientId, sessionPublic: plain.slice(0, 32), nConn: plain.slice(32, 56), domain };
}

export function authAckBody(server: KeyPair, client: Id, sessionPublic: Uint8Array, port: number, domainEnabled: boolean): Uint8Array {
  const plain = new Uint8Array(35);
  plain.set(sessionPublic, 0);
  plain[32] = port >> 8;
  plain[33] = port & 0xff;
  plain[34] = domainEnabled ? 1 : 0;
  return sealWith(nodeContext(server, client), plain);
}

export function parseAuthAck(client: KeyPair, server: Id, body: Uint8Array): { sessionPublic: Uint8Array; port: number; domainEnabled: boolean } {
  if (body.length < 51) throw new FrameError("AUTH_ACK too short");
  const plain = openWith(nodeContext(client, server), body.subarray(0, 51));
  return { sessionPublic: plain.slice(0, 32), port: (plain[32]! << 8) | plain[33]!, domainEnabled: plain[34] === 1 };
}
