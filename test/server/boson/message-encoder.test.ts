// The v2 message encoder field by field (server/boson/v2/messages.ts): each request, response and error
// written as the reference writes it — which fields, in which order, which are left out when empty —
// stated here as the expected CBOR map and compared byte for byte; then decoded back. (vectors.test.ts
// holds the reference's own bytes for ping, store and find_node.)
import { describe, expect, test } from "bun:test";
import { Id } from "../../../server/boson/id.ts";
import { decodeMessage } from "../../../server/boson/v2/message-decoder.ts";
import { type Body, encodeMessage, type Message, METHOD_CODES, methodOfCode, type Value } from "../../../server/boson/v2/messages.ts";
import { type CborItem, fields, ID, ID2, NONCE, REQ, RES, SIG } from "../../helpers/boson-messages.ts";

const id1 = Id.of(ID);
const id2 = Id.of(ID2);
const id3 = Id.of(new Uint8Array(32).fill(3));
const TXID = 4242;
const V = 0x50320001;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const message = (body: Body): Message => ({ txid: TXID, version: V, ...body });
/** The expected bytes: y and t first, the body under q/r/e, v last. */
const expected = (y: number, key?: "q" | "r" | "e", body: Record<string, CborItem> = {}) => fields({ y, t: TXID, ...(key ? { [key]: { map: Object.entries(body) } } : {}), v: V });
/** Encoded as expected, and decoded back to the same message. */
function same(m: Message, bytes: Uint8Array) {
  expect(hex(encodeMessage(m))).toBe(hex(bytes));
  expect(decodeMessage(encodeMessage(m))).toEqual(m);
}
const want = (ipv4: boolean, ipv6: boolean, token: boolean) => ({ ipv4, ipv6, token });
const immutable = (data: Uint8Array): Value => ({ publicKey: null, recipient: null, nonce: null, seq: 0, signature: null, data });
const mutable = (recipient: Id | null): Value => ({ publicKey: id1, recipient, nonce: NONCE, seq: 9, signature: SIG, data: new Uint8Array([1, 2, 3]) });

describe("requests", () => {
  test("ping and node_info have no body; y is the request bit and the method's code", () => {
    same(message({ type: "request", request: { method: "ping" } }), expected(REQ | 1));
    same(message({ type: "request", request: { method: "node_info" } }), expected(REQ | 0x1f));
  });

  test("find_node and find_peer: the target, then the want bits (ipv4 1, ipv6 2, token 4)", () => {
    for (const [w, bits] of [
      [want(true, false, false), 1],
      [want(false, true, false), 2],
      [want(false, false, true), 4],
      [want(true, true, true), 7],
      [want(false, false, false), 0],
    ] as const) {
      same(message({ type: "request", request: { method: "find_node", target: id2, want: w } }), expected(REQ | 2, "q", { t: ID2, w: bits }));
      same(message({ type: "request", request: { method: "find_peer", target: id2, want: w } }), expected(REQ | 4, "q", { t: ID2, w: bits }));
    }
  });

  test("find_value: seq only when it is 0 or more", () => {
    same(message({ type: "request", request: { method: "find_value", target: id2, want: want(true, false, true), seq: 0 } }), expected(REQ | 6, "q", { t: ID2, w: 5, seq: 0 }));
    const noSeq = encodeMessage(message({ type: "request", request: { method: "find_value", target: id2, want: want(true, false, false), seq: -1 } }));
    expect(hex(noSeq)).toBe(hex(expected(REQ | 6, "q", { t: ID2, w: 1 })));
  });

  test("store_value: tok, then k, rec, n, sig, seq (sig before seq here), cas when a mutable value has one, v last", () => {
    const store = (value: Value, cas: number) => message({ type: "request", request: { method: "store_value", token: 77, value, cas } });
    same(store(immutable(new Uint8Array([5])), -1), expected(REQ | 5, "q", { tok: 77, v: new Uint8Array([5]) }));
    // An immutable value never carries cas.
    expect(hex(encodeMessage(store(immutable(new Uint8Array([5])), 3)))).toBe(hex(expected(REQ | 5, "q", { tok: 77, v: new Uint8Array([5]) })));
    const data = new Uint8Array([1, 2, 3]);
    same(store(mutable(null), 8), expected(REQ | 5, "q", { tok: 77, k: ID, n: NONCE, sig: SIG, seq: 9, cas: 8, v: data }));
    same(store(mutable(id3), 0), expected(REQ | 5, "q", { tok: 77, k: ID, rec: id3.bytes, n: NONCE, sig: SIG, seq: 9, cas: 0, v: data }));
    expect(hex(encodeMessage(store(mutable(null), -1)))).toBe(hex(expected(REQ | 5, "q", { tok: 77, k: ID, n: NONCE, sig: SIG, seq: 9, v: data })));
  });

  test("announce_peer: tok, t, x when a node is named, p, alt when there is one, sig", () => {
    const announce = (nodeId: Id | null, alt: string | null) => message({ type: "request", request: { method: "announce_peer", token: 5, peerId: id2, nodeId, port: 443, alt, signature: SIG } });
    same(announce(id1, "https://a.example"), expected(REQ | 3, "q", { tok: 5, t: ID2, x: ID, p: 443, alt: "https://a.example", sig: SIG }));
    same(announce(null, null), expected(REQ | 3, "q", { tok: 5, t: ID2, p: 443, sig: SIG }));
    // An empty alt is still an alt.
    same(announce(null, ""), expected(REQ | 3, "q", { tok: 5, t: ID2, p: 443, alt: "", sig: SIG }));
  });
});

describe("responses", () => {
  const n4 = { id: id1, host: "192.0.2.7", port: 39001 };
  const n6 = { id: id2, host: "2001:db8::9", port: 39002 };
  const n4Item: CborItem = { array: [{ array: [ID, new Uint8Array([192, 0, 2, 7]), 39001] }] };
  const n6Item: CborItem = { array: [{ array: [ID2, new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]), 39002] }] };

  test("ping, store_value and announce_peer have no body", () => {
    same(message({ type: "response", response: { method: "ping" } }), expected(RES | 1));
    same(message({ type: "response", response: { method: "store_value" } }), expected(RES | 5));
    same(message({ type: "response", response: { method: "announce_peer" } }), expected(RES | 3));
  });

  test("find_node: n4, n6, tok — each left out when empty or zero", () => {
    same(message({ type: "response", response: { method: "find_node", nodes4: [n4], nodes6: [n6], token: 99 } }), expected(RES | 2, "r", { n4: n4Item, n6: n6Item, tok: 99 }));
    same(message({ type: "response", response: { method: "find_node", nodes4: [], nodes6: [n6], token: 0 } }), expected(RES | 2, "r", { n6: n6Item }));
    same(message({ type: "response", response: { method: "find_node", nodes4: [n4], nodes6: [], token: -5 } }), expected(RES | 2, "r", { n4: n4Item, tok: -5 }));
    same(message({ type: "response", response: { method: "find_node", nodes4: [], nodes6: [], token: 0 } }), expected(RES | 2, "r", {}));
  });

  test("find_value: the lists, then k, rec, n, seq, sig (seq before sig here), v; no value, no value fields", () => {
    const data = new Uint8Array([1, 2, 3]);
    same(
      message({ type: "response", response: { method: "find_value", nodes4: [n4], nodes6: [], token: 0, value: mutable(id3) } }),
      expected(RES | 6, "r", { n4: n4Item, k: ID, rec: id3.bytes, n: NONCE, seq: 9, sig: SIG, v: data }),
    );
    same(message({ type: "response", response: { method: "find_value", nodes4: [], nodes6: [], token: 3, value: immutable(data) } }), expected(RES | 6, "r", { tok: 3, v: data }));
    same(message({ type: "response", response: { method: "find_value", nodes4: [n4], nodes6: [], token: 0, value: null } }), expected(RES | 6, "r", { n4: n4Item }));
  });

  test("find_peer: the peer ID once, then each record — its origin null when it is the node itself", () => {
    const peers = [
      { peerId: id3, nodeId: id1, origin: id1, port: 443, alt: null, signature: SIG },
      { peerId: id3, nodeId: id2, origin: id1, port: 8443, alt: "https://b.example", signature: SIG },
    ];
    same(
      message({ type: "response", response: { method: "find_peer", nodes4: [], nodes6: [], token: 0, peers } }),
      expected(RES | 4, "r", { p: { array: [id3.bytes, { array: [ID, null, 443, null, SIG] }, { array: [ID2, ID, 8443, "https://b.example", SIG] }] } }),
    );
    same(message({ type: "response", response: { method: "find_peer", nodes4: [n4], nodes6: [], token: 0, peers: [] } }), expected(RES | 4, "r", { n4: n4Item }));
  });

  test("node_info: ver, e when there is an endpoint, ts, sig", () => {
    const info = (endpoint: string | null) => message({ type: "response", response: { method: "node_info", info: { version: "PC2/0.1.0", endpoint, issuedAt: 1_765_000_000, signature: SIG } } });
    same(info("https://n.example"), expected(RES | 0x1f, "r", { ver: "PC2/0.1.0", e: "https://n.example", ts: 1_765_000_000, sig: SIG }));
    same(info(null), expected(RES | 0x1f, "r", { ver: "PC2/0.1.0", ts: 1_765_000_000, sig: SIG }));
  });
});

test("errors: y is the method's code with no type bits; e holds c then m", () => {
  same(message({ type: "error", method: "store_value", code: 302, message: "seq" }), expected(0x05, "e", { c: 302, m: "seq" }));
  same(message({ type: "error", method: "ping", code: 203, message: "" }), expected(0x01, "e", { c: 203, m: "" }));
});

test("method codes both ways; an unknown code has no method", () => {
  expect(Object.entries(METHOD_CODES)).toEqual([
    ["ping", 1],
    ["find_node", 2],
    ["announce_peer", 3],
    ["find_peer", 4],
    ["store_value", 5],
    ["find_value", 6],
    ["node_info", 31],
  ]);
  for (const [name, code] of Object.entries(METHOD_CODES)) expect(methodOfCode(code)).toBe(name as keyof typeof METHOD_CODES);
  for (const code of [0, 7, 30, 32]) expect(methodOfCode(code)).toBeUndefined();
});
