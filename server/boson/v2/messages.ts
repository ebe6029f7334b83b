// The v2 DHT messages (Boson.Core 2.0.7 wire format): typed values in, the CBOR map out, and back.
// Field names, order and encodings follow the reference (see docs/network.md); anything a peer
// sends that does not fit is a ProtocolError, answered with error 203 when it can be.
import ipaddr from "ipaddr.js";
import { Id } from "../id.ts";
import { type CborItem, type CborMap, encodeCbor } from "./cbor-writer.ts";

/** The six v2 methods (codes 1-6), and PC2's own `node_info` (code 31, clear of the reference's range: a Boson node answers it with 204). */
export const METHOD_CODES = { ping: 1, find_node: 2, announce_peer: 3, find_peer: 4, store_value: 5, find_value: 6, node_info: 0x1f } as const;
export type MethodName = keyof typeof METHOD_CODES;
export const methodOfCode = (code: number): MethodName | undefined => (Object.keys(METHOD_CODES) as MethodName[]).find((m) => METHOD_CODES[m] === code);
const TYPE_REQUEST = 0x20;
const TYPE_RESPONSE = 0x40;
const TYPE_ERROR = 0x00;

/** Version tag "P2" release 1: two ASCII letters and a number, as Boson nodes identify themselves. */
export const PC2_VERSION = (0x50 << 24) | (0x32 << 16) | 1;

export class ProtocolError extends Error {}

export interface NodeInfo {
  id: Id;
  /** IP address as text (v4 dotted or v6). */
  host: string;
  port: number;
}
/** What a PC2 node says about itself to another (over the pair's crypto_box), signed by its node key. */
export interface NodeInfoRecord {
  version: string;
  /** Its public URL, once it has one. */
  endpoint: string | null;
  /** Seconds since the epoch when it was signed. */
  issuedAt: number;
  signature: Uint8Array;
}
export interface Want {
  ipv4: boolean;
  ipv6: boolean;
  token: boolean;
}
/** An immutable value has only `data`; a mutable one is signed by `publicKey`; an encrypted one also names its `recipient`. */
export interface Value {
  publicKey: Id | null;
  recipient: Id | null;
  nonce: Uint8Array | null;
  seq: number;
  signature: Uint8Array | null;
  data: Uint8Array;
}
export interface PeerRecord {
  peerId: Id;
  nodeId: Id;
  origin: Id;
  port: number;
  alt: string | null;
  signature: Uint8Array;
}

export type Request =
  | { method: "ping" }
  | { method: "node_info" }
  | { method: "find_node"; target: Id; want: Want }
  | { method: "find_value"; target: Id; want: Want; seq: number }
  | { method: "find_peer"; target: Id; want: Want }
  | { method: "store_value"; token: number; value: Value; cas: number }
  | { method: "announce_peer"; token: number; peerId: Id; nodeId: Id | null; port: number; alt: string | null; signature: Uint8Array };

export interface Lists {
  nodes4: NodeInfo[];
  nodes6: NodeInfo[];
  token: number;
}
export type Response =
  | { method: "ping" }
  | ({ method: "find_node" } & Lists)
  | ({ method: "find_value"; value: Value | null } & Lists)
  | ({ method: "find_peer"; peers: PeerRecord[] } & Lists)
  | { method: "store_value" }
  | { method: "announce_peer" }
  | { method: "node_info"; info: NodeInfoRecord };

export type Body = { type: "request"; request: Request } | { type: "response"; response: Response } | { type: "error"; method: MethodName; code: number; message: string };
export type Message = { txid: number; version: number } & Body;

export const ERROR = {
  generic: 201,
  server: 202,
  protocol: 203,
  unknownMethod: 204,
  tooBig: 205,
  invalidSignature: 206,
  saltTooBig: 207,
  casFail: 301,
  sequenceNotMonotonic: 302,
  immutableSubstitution: 303,
} as const;

// ---- encoding -----------------------------------------------------------------------------

const methodBits = (m: MethodName) => METHOD_CODES[m];
const wantBits = (w: Want) => (w.ipv4 ? 1 : 0) | (w.ipv6 ? 2 : 0) | (w.token ? 4 : 0);

function ipBytes(host: string): Uint8Array {
  return Uint8Array.from(ipaddr.parse(host).toByteArray());
}

function nodeList(nodes: NodeInfo[]): CborItem {
  return { array: nodes.map((n) => ({ array: [n.id.bytes, ipBytes(n.host), n.port] })) };
}

function valueFields(v: Value, order: "response" | "store"): [string, CborItem][] {
  const out: [string, CborItem][] = [];
  if (v.publicKey) {
    out.push(["k", v.publicKey.bytes]);
    if (v.recipient) out.push(["rec", v.recipient.bytes]);
    out.push(["n", v.nonce!]);
    // The reference writes seq before sig in a FIND_VALUE response, and after it in a STORE_VALUE request.
    if (order === "response") out.push(["seq", v.seq], ["sig", v.signature!]);
    else out.push(["sig", v.signature!], ["seq", v.seq]);
  }
  return out;
}

function requestBody(r: Request): CborMap | null {
  switch (r.method) {
    case "ping":
    case "node_info":
      return null;
    case "find_node":
    case "find_peer":
      return {
        map: [
          ["t", r.target.bytes],
          ["w", wantBits(r.want)],
        ],
      };
    case "find_value":
      return { map: [["t", r.target.bytes], ["w", wantBits(r.want)], ...(r.seq >= 0 ? ([["seq", r.seq]] as [string, CborItem][]) : [])] };
    case "store_value": {
      const fields: [string, CborItem][] = [["tok", r.token], ...valueFields(r.value, "store")];
      if (r.value.publicKey && r.cas >= 0) fields.push(["cas", r.cas]);
      fields.push(["v", r.value.data]);
      return { map: fields };
    }
    case "announce_peer": {
      const fields: [string, CborItem][] = [
        ["tok", r.token],
        ["t", r.peerId.bytes],
      ];
      if (r.nodeId) fields.push(["x", r.nodeId.bytes]);
      fields.push(["p", r.port]);
      if (r.alt !== null) fields.push(["alt", r.alt]);
      fields.push(["sig", r.signature]);
      return { map: fields };
    }
  }
}

function listFields(l: Lists): [string, CborItem][] {
  const out: [string, CborItem][] = [];
  if (l.nodes4.length) out.push(["n4", nodeList(l.nodes4)]);
  if (l.nodes6.length) out.push(["n6", nodeList(l.nodes6)]);
  if (l.token !== 0) out.push(["tok", l.token]);
  return out;
}

function responseBody(r: Response): CborMap | null {
  switch (r.method) {
    case "ping":
    case "store_value":
    case "announce_peer":
      return null;
    case "find_node":
      return { map: listFields(r) };
    case "node_info":
      return { map: [["ver", r.info.version], ...(r.info.endpoint === null ? [] : ([["e", r.info.endpoint]] as [string, CborItem][])), ["ts", r.info.issuedAt], ["sig", r.info.signature]] };
    case "find_value":
      return { map: [...listFields(r), ...(r.value ? [...valueFields(r.value, "response"), ["v", r.value.data] as [string, CborItem]] : [])] };
    case "find_peer": {
      const fields = listFields(r);
      if (r.peers.length) {
        const peers: CborItem[] = [r.peers[0]!.peerId.bytes];
        for (const p of r.peers) peers.push({ array: [p.nodeId.bytes, p.origin.equals(p.nodeId) ? null : p.origin.bytes, p.port, p.alt, p.signature] });
        fields.push(["p", { array: peers }]);
      }
      return { map: fields };
    }
  }
}

export function encodeMessage(m: Message): Uint8Array {
  const fields: [string, CborItem][] = [];
  if (m.type === "request") {
    fields.push(["y", TYPE_REQUEST | methodBits(m.request.method)], ["t", m.txid]);
    const body = requestBody(m.request);
    if (body) fields.push(["q", body]);
  } else if (m.type === "response") {
    fields.push(["y", TYPE_RESPONSE | methodBits(m.response.method)], ["t", m.txid]);
    const body = responseBody(m.response);
    if (body) fields.push(["r", body]);
  } else {
    fields.push(
      ["y", TYPE_ERROR | methodBits(m.method)],
      ["t", m.txid],
      [
        "e",
        {
          map: [
            ["c", m.code],
            ["m", m.message],
          ],
        },
      ],
    );
  }
  // Always sent: a Java node drops a datagram shorter than 61 bytes, which a v-less ping would be.
  fields.push(["v", m.version]);
  return encodeCbor({ map: fields });
}
