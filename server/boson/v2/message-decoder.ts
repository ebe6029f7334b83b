// Reading a v2 DHT message: cbor-x parses (definite or indefinite containers, as Java writes), then
// every field is checked for its type and range. Anything else is a ProtocolError; unknown fields are
// ignored, as the reference does.
import { Decoder } from "cbor-x/decode";
import ipaddr from "ipaddr.js";
import { Id } from "../id.ts";
import { type Lists, type Message, methodOfCode, type MethodName, type NodeInfo, type PeerRecord, ProtocolError, type Request, type Response, type Value, type Want } from "./messages.ts";

const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

type Fields = Record<string, unknown>;

function isMap(x: unknown): x is Fields {
  return x !== null && typeof x === "object" && !Array.isArray(x) && !(x instanceof Uint8Array);
}
function field(m: Fields, key: string): unknown {
  return Object.hasOwn(m, key) ? m[key] : undefined;
}
function int(m: Fields, key: string, min = INT32_MIN, max = INT32_MAX): number {
  const v = field(m, key);
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw new ProtocolError(`${key}: not an integer in range`);
  return v;
}
function optInt(m: Fields, key: string, fallback: number, min = INT32_MIN, max = INT32_MAX): number {
  return field(m, key) === undefined ? fallback : int(m, key, min, max);
}
function bytes(m: Fields, key: string, length?: number): Uint8Array {
  const v = field(m, key);
  if (!(v instanceof Uint8Array) || (length !== undefined && v.length !== length)) throw new ProtocolError(`${key}: not ${length ?? ""} bytes`);
  return new Uint8Array(v);
}
function id(m: Fields, key: string): Id {
  return Id.of(bytes(m, key, 32));
}
function optId(m: Fields, key: string): Id | null {
  return field(m, key) === undefined ? null : id(m, key);
}
function text(v: unknown, what: string): string {
  if (typeof v !== "string") throw new ProtocolError(`${what}: not text`);
  return v;
}
function want(m: Fields): Want {
  const w = optInt(m, "w", 0, 0, 0xff);
  return { ipv4: (w & 1) !== 0, ipv6: (w & 2) !== 0, token: (w & 4) !== 0 };
}

function nodes(m: Fields, key: string, family: 4 | 6): NodeInfo[] {
  const list = field(m, key);
  if (list === undefined) return [];
  if (!Array.isArray(list) || list.length > 64) throw new ProtocolError(`${key}: not a node list`);
  return list.map((entry) => {
    if (!Array.isArray(entry) || entry.length !== 3) throw new ProtocolError(`${key}: not a node`);
    const [rawId, rawIp, port] = entry;
    if (!(rawId instanceof Uint8Array) || rawId.length !== 32) throw new ProtocolError(`${key}: bad node ID`);
    if (!(rawIp instanceof Uint8Array) || rawIp.length !== (family === 4 ? 4 : 16)) throw new ProtocolError(`${key}: bad address`);
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) throw new ProtocolError(`${key}: bad port`);
    return { id: Id.of(rawId), host: ipaddr.fromByteArray([...rawIp]).toString(), port };
  });
}

function lists(m: Fields): Lists {
  return { nodes4: nodes(m, "n4", 4), nodes6: nodes(m, "n6", 6), token: optInt(m, "tok", 0) };
}

function value(m: Fields): Value | null {
  if (field(m, "v") === undefined) return null;
  const data = bytes(m, "v");
  const publicKey = optId(m, "k");
  if (!publicKey) return { publicKey: null, recipient: null, nonce: null, seq: 0, signature: null, data };
  return { publicKey, recipient: optId(m, "rec"), nonce: bytes(m, "n", 24), seq: optInt(m, "seq", 0, 0), signature: bytes(m, "sig", 64), data };
}

function peers(m: Fields): PeerRecord[] {
  const list = field(m, "p");
  if (list === undefined) return [];
  if (!Array.isArray(list) || list.length < 1 || list.length > 65) throw new ProtocolError("p: not a peer list");
  const [rawPeerId, ...entries] = list;
  if (!(rawPeerId instanceof Uint8Array) || rawPeerId.length !== 32) throw new ProtocolError("p: bad peer ID");
  const peerId = Id.of(rawPeerId);
  return entries.map((entry) => {
    if (!Array.isArray(entry) || entry.length !== 5) throw new ProtocolError("p: not a peer");
    const [rawNode, rawOrigin, port, alt, sig] = entry;
    if (!(rawNode instanceof Uint8Array) || rawNode.length !== 32) throw new ProtocolError("p: bad node ID");
    if (rawOrigin !== null && (!(rawOrigin instanceof Uint8Array) || rawOrigin.length !== 32)) throw new ProtocolError("p: bad origin");
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) throw new ProtocolError("p: bad port");
    if (alt !== null && typeof alt !== "string") throw new ProtocolError("p: bad alt");
    if (!(sig instanceof Uint8Array) || sig.length !== 64) throw new ProtocolError("p: bad signature");
    const nodeId = Id.of(rawNode);
    return { peerId, nodeId, origin: rawOrigin ? Id.of(rawOrigin) : nodeId, port, alt, signature: new Uint8Array(sig) };
  });
}

function request(method: MethodName, q: Fields): Request {
  switch (method) {
    case "ping":
    case "node_info":
      return { method };
    case "find_node":
    case "find_peer":
      return { method, target: id(q, "t"), want: want(q) };
    case "find_value":
      return { method, target: id(q, "t"), want: want(q), seq: optInt(q, "seq", -1) };
    case "store_value": {
      const v = value(q);
      if (!v) throw new ProtocolError("store_value: no value");
      return { method, token: int(q, "tok"), value: v, cas: optInt(q, "cas", -1) };
    }
    case "announce_peer": {
      const alt = field(q, "alt");
      return { method, token: int(q, "tok"), peerId: id(q, "t"), nodeId: optId(q, "x"), port: int(q, "p", 1, 65535), alt: alt === undefined ? null : text(alt, "alt"), signature: bytes(q, "sig", 64) };
    }
  }
}

function response(method: MethodName, r: Fields): Response {
  switch (method) {
    case "ping":
    case "store_value":
    case "announce_peer":
      return { method };
    case "find_node":
      return { method, ...lists(r) };
    case "node_info": {
      const e = field(r, "e");
      const version = text(field(r, "ver"), "ver");
      if (version.length > 64) throw new ProtocolError("ver: too long");
      return { method, info: { version, endpoint: e === undefined ? null : text(e, "e"), issuedAt: int(r, "ts", 0, 2 ** 31 - 1), signature: bytes(r, "sig", 64) } };
    }
    case "find_value":
      return { method, ...lists(r), value: value(r) };
    case "find_peer":
      return { method, ...lists(r), peers: peers(r) };
  }
}

/** Decode one message; throws ProtocolError (with the transaction ID when it was readable). */
export function decodeMessage(data: Uint8Array): Message {
  let root: unknown;
  try {
    root = decoder.decode(data);
  } catch {
    throw new ProtocolError("not CBOR");
  }
  if (!isMap(root)) throw new ProtocolError("not a message map");
  const y = int(root, "y", 0, 0xff);
  const txid = int(root, "t");
  if (txid === 0) throw new ProtocolError("t: zero");
  const version = optInt(root, "v", 0);
  const methodIndex = y & 0x1f;
  const method = methodOfCode(methodIndex);
  if (!method) throw Object.assign(new ProtocolError(`unknown method ${methodIndex}`), { txid, unknownMethod: true });
  const body = (key: string): Fields => {
    const v = field(root as Fields, key);
    if (v === undefined) return {};
    if (!isMap(v)) throw new ProtocolError(`${key}: not a map`);
    return v;
  };
  try {
    switch (y & 0xe0) {
      case 0x20:
        return { txid, version, type: "request", request: request(method, body("q")) };
      case 0x40:
        return { txid, version, type: "response", response: response(method, body("r")) };
      case 0x00: {
        const e = body("e");
        const m = field(e, "m");
        return { txid, version, type: "error", method, code: int(e, "c"), message: m === undefined || m === null ? "" : text(m, "m") };
      }
      default:
        throw new ProtocolError("unknown message type");
    }
  } catch (err) {
    throw Object.assign(err instanceof ProtocolError ? err : new ProtocolError(String(err)), { txid });
  }
}
