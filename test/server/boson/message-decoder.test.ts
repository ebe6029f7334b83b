// The v2 message decoder field by field (server/boson/v2/message-decoder.ts): every range at its
// edge and one past it, every refusal with its words, the transaction ID carried on a refusal once
// it was readable, defaults for absent optional fields, and unknown fields ignored. The vectors test
// holds the bytes of real messages; the hostile test only that mutated ones fail as ProtocolError.
import { describe, expect, test } from "bun:test";
import { Encoder } from "cbor-x/encode";
import { type CborItem, encodeCbor } from "../../../server/boson/v2/cbor-writer.ts";
import { decodeMessage } from "../../../server/boson/v2/message-decoder.ts";
import { ProtocolError } from "../../../server/boson/v2/messages.ts";

/**
 * For shapes the project's writer cannot make (floats, definite containers); records off, as the
 * decoder reads. From "cbor-x/encode", never "cbor-x": the main entry switches every decoder in the
 * process to cbor-extract's native string reader, and the optional package installed here is an empty
 * stand-in, so text of 64 bytes and more would no longer decode (the node imports "cbor-x/decode" only).
 */
const cborEncode = (value: unknown) => new Encoder({ useRecords: false }).encode(value);
const ID = new Uint8Array(32).fill(7);
const ID2 = new Uint8Array(32).fill(9);
const SIG = new Uint8Array(64).fill(1);
const NONCE = new Uint8Array(24).fill(2);
const REQ = 0x20;
const RES = 0x40;

/** A message map with the given top-level fields (y and t first, as the reference writes them). */
function msg(y: number, body?: [string, [string, CborItem][]], extra: [string, CborItem][] = []): Uint8Array {
  return encodeCbor({ map: [["y", y], ["t", 77], ...(body ? ([[body[0], { map: body[1] }]] as [string, CborItem][]) : []), ["v", 5], ...extra] });
}

/** What decoding refused: the error's words and the txid it carries (undefined when unread). */
function refusal(data: Uint8Array): { message: string; txid: number | undefined } {
  try {
    decodeMessage(data);
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    return { message: err.message, txid: (err as ProtocolError & { txid?: number }).txid };
  }
  throw new Error("accepted");
}

const node4 = (port: CborItem = 4222, ip: CborItem = new Uint8Array([10, 0, 0, 1]), id: CborItem = ID): CborItem => ({ array: [id, ip, port] });
const findNode = (fields: [string, CborItem][]) => decodeMessage(msg(RES | 2, ["r", fields]));

describe("the envelope", () => {
  test("not CBOR, not a map, y and t out of range or absent, t zero", () => {
    expect(refusal(new Uint8Array([0xff, 0x00]))).toEqual({ message: "not CBOR", txid: undefined });
    expect(refusal(cborEncode([1, 2]))).toEqual({ message: "not a message map", txid: undefined });
    expect(refusal(cborEncode(new Uint8Array(3)))).toEqual({ message: "not a message map", txid: undefined });
    expect(refusal(cborEncode(null))).toEqual({ message: "not a message map", txid: undefined });
    expect(refusal(encodeCbor({ map: [["t", 1]] }))).toEqual({ message: "y: not an integer in range", txid: undefined });
    expect(
      refusal(
        encodeCbor({
          map: [
            ["y", 0x100],
            ["t", 1],
          ],
        }),
      ),
    ).toEqual({ message: "y: not an integer in range", txid: undefined });
    expect(
      refusal(
        encodeCbor({
          map: [
            ["y", -1],
            ["t", 1],
          ],
        }),
      ),
    ).toEqual({ message: "y: not an integer in range", txid: undefined });
    expect(refusal(cborEncode({ y: 1.5, t: 1 }))).toEqual({ message: "y: not an integer in range", txid: undefined });
    expect(refusal(encodeCbor({ map: [["y", REQ | 1]] }))).toEqual({ message: "t: not an integer in range", txid: undefined });
    expect(
      refusal(
        encodeCbor({
          map: [
            ["y", REQ | 1],
            ["t", 0],
          ],
        }),
      ),
    ).toEqual({ message: "t: zero", txid: undefined });
    expect(
      refusal(
        encodeCbor({
          map: [
            ["y", REQ | 1],
            ["t", 2 ** 31],
          ],
        }),
      ),
    ).toEqual({ message: "t: not an integer in range", txid: undefined });
    expect(refusal(cborEncode({ y: REQ | 1, t: -(2 ** 31) - 1 }))).toEqual({ message: "t: not an integer in range", txid: undefined });
  });

  test("the widest y, t and v are read; v defaults to 0; unknown fields are ignored", () => {
    expect(
      decodeMessage(
        encodeCbor({
          map: [
            ["y", REQ | 1],
            ["t", 2 ** 31 - 1],
            ["v", 2 ** 31 - 1],
          ],
        }),
      ),
    ).toEqual({ txid: 2 ** 31 - 1, version: 2 ** 31 - 1, type: "request", request: { method: "ping" } });
    expect(decodeMessage(cborEncode({ y: REQ | 1, t: -(2 ** 31), v: -(2 ** 31) }))).toMatchObject({ txid: -(2 ** 31), version: -(2 ** 31) });
    expect(
      decodeMessage(
        encodeCbor({
          map: [
            ["y", REQ | 1],
            ["t", 3],
            ["zz", "anything"],
          ],
        }),
      ),
    ).toEqual({ txid: 3, version: 0, type: "request", request: { method: "ping" } });
    // y = 0xff: type bits 0xe0 (unknown) with method 31 (node_info).
    expect(
      refusal(
        encodeCbor({
          map: [
            ["y", 0xff],
            ["t", 3],
          ],
        }),
      ),
    ).toEqual({ message: "unknown message type", txid: 3 });
  });

  test("an unknown method is flagged (answered with 204) and keeps its txid; an unknown type keeps its txid", () => {
    let caught: (ProtocolError & { txid?: number; unknownMethod?: boolean }) | null = null;
    try {
      decodeMessage(
        encodeCbor({
          map: [
            ["y", REQ | 7],
            ["t", 12],
          ],
        }),
      );
    } catch (err) {
      caught = err as typeof caught;
    }
    expect(caught).toBeInstanceOf(ProtocolError);
    expect(caught!.message).toBe("unknown method 7");
    expect(caught!.txid).toBe(12);
    expect(caught!.unknownMethod).toBe(true);
    expect(
      refusal(
        encodeCbor({
          map: [
            ["y", REQ | 0],
            ["t", 12],
          ],
        }),
      ),
    ).toEqual({ message: "unknown method 0", txid: 12 });
    expect(
      refusal(
        encodeCbor({
          map: [
            ["y", 0x60 | 1],
            ["t", 12],
          ],
        }),
      ),
    ).toEqual({ message: "unknown message type", txid: 12 });
    expect(
      refusal(
        encodeCbor({
          map: [
            ["y", 0x80 | 1],
            ["t", 12],
          ],
        }),
      ),
    ).toEqual({ message: "unknown message type", txid: 12 });
  });

  test("a body that is not a map is refused with the txid; a missing body reads as empty", () => {
    expect(
      refusal(
        encodeCbor({
          map: [
            ["y", REQ | 2],
            ["t", 9],
            ["q", 5],
          ],
        }),
      ),
    ).toEqual({ message: "q: not a map", txid: 9 });
    expect(
      refusal(
        encodeCbor({
          map: [
            ["y", RES | 2],
            ["t", 9],
            ["r", { array: [] }],
          ],
        }),
      ),
    ).toEqual({ message: "r: not a map", txid: 9 });
    expect(
      refusal(
        encodeCbor({
          map: [
            ["y", 0x00 | 1],
            ["t", 9],
            ["e", "x"],
          ],
        }),
      ),
    ).toEqual({ message: "e: not a map", txid: 9 });
    expect(
      refusal(
        encodeCbor({
          map: [
            ["y", REQ | 2],
            ["t", 9],
          ],
        }),
      ),
    ).toEqual({ message: "t: not 32 bytes", txid: 9 });
    expect(
      decodeMessage(
        encodeCbor({
          map: [
            ["y", RES | 2],
            ["t", 9],
          ],
        }),
      ),
    ).toMatchObject({ response: { method: "find_node", nodes4: [], nodes6: [], token: 0 } });
  });

  test("errors: code and message read; a null or absent message is empty; a message that is not text is refused", () => {
    const error = (fields: [string, CborItem][]) =>
      encodeCbor({
        map: [
          ["y", 0x00 | 5],
          ["t", 4],
          ["e", { map: fields }],
        ],
      });
    expect(
      decodeMessage(
        error([
          ["c", 302],
          ["m", "seq"],
        ]),
      ),
    ).toEqual({ txid: 4, version: 0, type: "error", method: "store_value", code: 302, message: "seq" });
    expect(
      decodeMessage(
        error([
          ["c", 201],
          ["m", null],
        ]),
      ),
    ).toMatchObject({ code: 201, message: "" });
    expect(decodeMessage(error([["c", 201]]))).toMatchObject({ code: 201, message: "" });
    expect(
      refusal(
        error([
          ["c", 201],
          ["m", 5],
        ]),
      ),
    ).toEqual({ message: "m: not text", txid: 4 });
    expect(refusal(error([["m", "x"]]))).toEqual({ message: "c: not an integer in range", txid: 4 });
  });
});

describe("requests", () => {
  test("find_node and find_peer: target of 32 bytes, want mask up to 0xff (default 0)", () => {
    expect(
      decodeMessage(
        msg(REQ | 2, [
          "q",
          [
            ["t", ID],
            ["w", 7],
          ],
        ]),
      ),
    ).toMatchObject({ request: { method: "find_node", want: { ipv4: true, ipv6: true, token: true } } });
    expect(
      decodeMessage(
        msg(REQ | 4, [
          "q",
          [
            ["t", ID],
            ["w", 0xff],
          ],
        ]),
      ),
    ).toMatchObject({ request: { method: "find_peer", want: { ipv4: true, ipv6: true, token: true } } });
    expect(
      decodeMessage(
        msg(REQ | 2, [
          "q",
          [
            ["t", ID],
            ["w", 2],
          ],
        ]),
      ),
    ).toMatchObject({ request: { want: { ipv4: false, ipv6: true, token: false } } });
    expect(
      decodeMessage(
        msg(REQ | 2, [
          "q",
          [
            ["t", ID],
            ["w", 4],
          ],
        ]),
      ),
    ).toMatchObject({ request: { want: { ipv4: false, ipv6: false, token: true } } });
    expect(decodeMessage(msg(REQ | 2, ["q", [["t", ID]]]))).toMatchObject({ request: { want: { ipv4: false, ipv6: false, token: false } } });
    expect(
      refusal(
        msg(REQ | 2, [
          "q",
          [
            ["t", ID],
            ["w", 0x100],
          ],
        ]),
      ),
    ).toEqual({ message: "w: not an integer in range", txid: 77 });
    expect(
      refusal(
        msg(REQ | 2, [
          "q",
          [
            ["t", ID],
            ["w", -1],
          ],
        ]),
      ),
    ).toEqual({ message: "w: not an integer in range", txid: 77 });
    expect(refusal(msg(REQ | 2, ["q", [["t", ID.subarray(1)]]]))).toEqual({ message: "t: not 32 bytes", txid: 77 });
    expect(refusal(msg(REQ | 2, ["q", [["t", "text"]]]))).toEqual({ message: "t: not 32 bytes", txid: 77 });
  });

  test("find_value: seq defaults to -1 (none), any 32-bit integer otherwise", () => {
    expect(decodeMessage(msg(REQ | 6, ["q", [["t", ID]]]))).toMatchObject({ request: { method: "find_value", seq: -1 } });
    expect(
      decodeMessage(
        msg(REQ | 6, [
          "q",
          [
            ["t", ID],
            ["seq", 0],
          ],
        ]),
      ),
    ).toMatchObject({ request: { seq: 0 } });
    expect(
      refusal(
        msg(REQ | 6, [
          "q",
          [
            ["t", ID],
            ["seq", "1"],
          ],
        ]),
      ),
    ).toEqual({ message: "seq: not an integer in range", txid: 77 });
  });

  test("store_value: a value is required; a signed one needs its nonce and signature; seq ≥ 0; cas defaults to -1", () => {
    const store = (fields: [string, CborItem][]) => msg(REQ | 5, ["q", [["tok", 42], ...fields]]);
    expect(decodeMessage(store([["v", new Uint8Array([1, 2])]]))).toMatchObject({
      request: { method: "store_value", token: 42, cas: -1, value: { publicKey: null, recipient: null, nonce: null, seq: 0, signature: null, data: new Uint8Array([1, 2]) } },
    });
    const signed = decodeMessage(
      store([
        ["k", ID],
        ["rec", ID2],
        ["n", NONCE],
        ["sig", SIG],
        ["seq", 0],
        ["cas", 3],
        ["v", new Uint8Array([5])],
      ]),
    );
    expect(signed).toMatchObject({ request: { cas: 3, value: { seq: 0, nonce: NONCE, signature: SIG } } });
    const value = (signed as { request: { value: { publicKey: { bytes: Uint8Array }; recipient: { bytes: Uint8Array } } } }).request.value;
    expect([value.publicKey.bytes, value.recipient.bytes]).toEqual([ID, ID2]);
    expect(
      decodeMessage(
        store([
          ["k", ID],
          ["n", NONCE],
          ["sig", SIG],
          ["v", new Uint8Array([5])],
        ]),
      ),
    ).toMatchObject({ request: { value: { recipient: null, seq: 0 } } });
    expect(refusal(store([]))).toEqual({ message: "store_value: no value", txid: 77 });
    expect(refusal(msg(REQ | 5, ["q", [["v", new Uint8Array([1])]]]))).toEqual({ message: "tok: not an integer in range", txid: 77 });
    expect(refusal(store([["v", "text"]]))).toEqual({ message: "v: not  bytes", txid: 77 });
    expect(
      refusal(
        store([
          ["k", ID],
          ["n", NONCE.subarray(1)],
          ["sig", SIG],
          ["v", new Uint8Array([5])],
        ]),
      ),
    ).toEqual({ message: "n: not 24 bytes", txid: 77 });
    expect(
      refusal(
        store([
          ["k", ID],
          ["n", NONCE],
          ["sig", SIG.subarray(1)],
          ["v", new Uint8Array([5])],
        ]),
      ),
    ).toEqual({ message: "sig: not 64 bytes", txid: 77 });
    expect(
      refusal(
        store([
          ["k", ID],
          ["n", NONCE],
          ["sig", SIG],
          ["seq", -1],
          ["v", new Uint8Array([5])],
        ]),
      ),
    ).toEqual({ message: "seq: not an integer in range", txid: 77 });
    expect(
      refusal(
        store([
          ["k", ID.subarray(2)],
          ["n", NONCE],
          ["sig", SIG],
          ["v", new Uint8Array([5])],
        ]),
      ),
    ).toEqual({ message: "k: not 32 bytes", txid: 77 });
    expect(
      refusal(
        store([
          ["k", ID],
          ["rec", new Uint8Array(31)],
          ["n", NONCE],
          ["sig", SIG],
          ["v", new Uint8Array([5])],
        ]),
      ),
    ).toEqual({ message: "rec: not 32 bytes", txid: 77 });
  });

  test("announce_peer: port 1–65535, an optional node ID and alt text, a 64-byte signature", () => {
    const announce = (fields: [string, CborItem][]) => msg(REQ | 3, ["q", [["tok", 1], ["t", ID], ...fields]]);
    const ok = decodeMessage(
      announce([
        ["p", 1],
        ["sig", SIG],
      ]),
    );
    expect(ok).toMatchObject({ request: { method: "announce_peer", token: 1, nodeId: null, port: 1, alt: null, signature: SIG } });
    expect(
      decodeMessage(
        announce([
          ["x", ID2],
          ["p", 65535],
          ["alt", "https://n.example"],
          ["sig", SIG],
        ]),
      ),
    ).toMatchObject({ request: { port: 65535, alt: "https://n.example" } });
    expect(
      refusal(
        announce([
          ["p", 0],
          ["sig", SIG],
        ]),
      ),
    ).toEqual({ message: "p: not an integer in range", txid: 77 });
    expect(
      refusal(
        announce([
          ["p", 65536],
          ["sig", SIG],
        ]),
      ),
    ).toEqual({ message: "p: not an integer in range", txid: 77 });
    expect(
      refusal(
        announce([
          ["p", 80],
          ["alt", 5],
          ["sig", SIG],
        ]),
      ),
    ).toEqual({ message: "alt: not text", txid: 77 });
    expect(
      refusal(
        announce([
          ["p", 80],
          ["sig", SIG.subarray(1)],
        ]),
      ),
    ).toEqual({ message: "sig: not 64 bytes", txid: 77 });
    expect(
      refusal(
        announce([
          ["x", ID2.subarray(1)],
          ["p", 80],
          ["sig", SIG],
        ]),
      ),
    ).toEqual({ message: "x: not 32 bytes", txid: 77 });
  });

  test("a field inherited rather than sent is not read (hasOwn)", () => {
    // cbor-x builds plain objects; "toString" is on every object's prototype, never a field.
    expect(refusal(msg(REQ | 2, ["q", [["w", 1]]]))).toEqual({ message: "t: not 32 bytes", txid: 77 });
    expect(
      decodeMessage(
        msg(REQ | 2, [
          "q",
          [
            ["t", ID],
            ["constructor", 1],
          ],
        ]),
      ),
    ).toMatchObject({ request: { method: "find_node" } });
  });
});

describe("responses", () => {
  test("node lists: up to 64 nodes, IPv4 and IPv6 addresses of their size, ports 1–65535, token default 0", () => {
    const list = (n: number) => ({ array: Array.from({ length: n }, () => node4()) });
    expect(findNode([["n4", list(64)]])).toMatchObject({ response: { nodes4: expect.any(Array) } });
    expect((findNode([["n4", list(64)]]) as { response: { nodes4: unknown[] } }).response.nodes4).toHaveLength(64);
    expect(refusal(msg(RES | 2, ["r", [["n4", list(65)]]]))).toEqual({ message: "n4: not a node list", txid: 77 });
    expect(refusal(msg(RES | 2, ["r", [["n4", 5]]]))).toEqual({ message: "n4: not a node list", txid: 77 });
    const one = findNode([
      ["n4", { array: [node4(1)] }],
      ["n6", { array: [{ array: [ID2, new Uint8Array(16).fill(0).map((_, i) => (i === 15 ? 1 : 0)), 65535] }] }],
      ["tok", 9],
    ]) as unknown as {
      response: { nodes4: { host: string; port: number }[]; nodes6: { host: string; port: number }[]; token: number };
    };
    expect(one.response.nodes4.map((n) => [n.host, n.port])).toEqual([["10.0.0.1", 1]]);
    expect(one.response.nodes6.map((n) => [n.host, n.port])).toEqual([["::1", 65535]]);
    expect(one.response.token).toBe(9);
    for (const [entry, words] of [
      [{ array: [ID, new Uint8Array(4)] }, "n4: not a node"],
      [5, "n4: not a node"],
      [node4(4222, new Uint8Array(4), ID.subarray(1)), "n4: bad node ID"],
      [node4(4222, new Uint8Array(4), "id"), "n4: bad node ID"],
      [node4(4222, new Uint8Array(16)), "n4: bad address"],
      [node4(4222, "10.0.0.1"), "n4: bad address"],
      [node4(0), "n4: bad port"],
      [node4(65536), "n4: bad port"],
      [node4("80"), "n4: bad port"],
    ] as [CborItem, string][])
      expect(refusal(msg(RES | 2, ["r", [["n4", { array: [entry] }]]]))).toEqual({ message: words, txid: 77 });
    expect(refusal(msg(RES | 2, ["r", [["n6", { array: [node4()] }]]]))).toEqual({ message: "n6: bad address", txid: 77 });
    expect(refusal(cborEncode({ y: RES | 2, t: 77, r: { n4: [[ID, new Uint8Array(4), 80.5]] } }))).toEqual({ message: "n4: bad port", txid: 77 });
  });

  test("find_peer: a peer ID, then up to 64 records of five fields; origin null means the node itself", () => {
    const record = (over: Partial<Record<"node" | "origin" | "port" | "alt" | "sig", CborItem>> = {}): CborItem => ({
      array: [
        over.node === undefined ? ID2 : over.node,
        over.origin === undefined ? null : over.origin,
        over.port === undefined ? 25001 : over.port,
        over.alt === undefined ? null : over.alt,
        over.sig === undefined ? SIG : over.sig,
      ],
    });
    const peers = (...entries: CborItem[]) => msg(RES | 4, ["r", [["p", { array: [ID, ...entries] }]]]);
    const found = decodeMessage(peers(record(), record({ origin: ID, port: 1, alt: "https://x.example" }), record({ port: 65535 }))) as unknown as {
      response: { peers: { peerId: { bytes: Uint8Array }; nodeId: { bytes: Uint8Array }; origin: { bytes: Uint8Array }; port: number; alt: string | null }[] };
    };
    expect(found.response.peers.map((p) => [p.peerId.bytes, p.nodeId.bytes, p.origin.bytes, p.port, p.alt])).toEqual([
      [ID, ID2, ID2, 25001, null],
      [ID, ID2, ID, 1, "https://x.example"],
      [ID, ID2, ID2, 65535, null],
    ]);
    expect((decodeMessage(peers(...Array.from({ length: 64 }, () => record()))) as unknown as { response: { peers: unknown[] } }).response.peers).toHaveLength(64);
    expect((decodeMessage(peers()) as unknown as { response: { peers: unknown[] } }).response.peers).toEqual([]);
    expect(refusal(peers(...Array.from({ length: 65 }, () => record())))).toEqual({ message: "p: not a peer list", txid: 77 });
    expect(refusal(msg(RES | 4, ["r", [["p", { array: [] }]]]))).toEqual({ message: "p: not a peer list", txid: 77 });
    expect(refusal(msg(RES | 4, ["r", [["p", ID]]]))).toEqual({ message: "p: not a peer list", txid: 77 });
    expect(refusal(msg(RES | 4, ["r", [["p", { array: [ID.subarray(1)] }]]]))).toEqual({ message: "p: bad peer ID", txid: 77 });
    expect(refusal(msg(RES | 4, ["r", [["p", { array: ["id"] }]]]))).toEqual({ message: "p: bad peer ID", txid: 77 });
    for (const [entry, words] of [
      [{ array: [ID2, null, 80, null] }, "p: not a peer"],
      [7, "p: not a peer"],
      [record({ node: ID2.subarray(1) }), "p: bad node ID"],
      [record({ node: "n" }), "p: bad node ID"],
      [record({ origin: ID.subarray(1) }), "p: bad origin"],
      [record({ origin: "o" }), "p: bad origin"],
      [record({ port: 0 }), "p: bad port"],
      [record({ port: 65536 }), "p: bad port"],
      [record({ port: "1" }), "p: bad port"],
      [record({ alt: 5 }), "p: bad alt"],
      [record({ sig: SIG.subarray(1) }), "p: bad signature"],
      [record({ sig: "s" }), "p: bad signature"],
    ] as [CborItem, string][])
      expect(refusal(peers(entry))).toEqual({ message: words, txid: 77 });
    expect(refusal(cborEncode({ y: RES | 4, t: 77, r: { p: [ID, [ID2, null, 1.5, null, SIG]] } }))).toEqual({ message: "p: bad port", txid: 77 });
  });

  test("find_value: lists and an optional value", () => {
    expect(decodeMessage(msg(RES | 6, ["r", [["tok", 3]]]))).toMatchObject({ response: { method: "find_value", value: null, token: 3 } });
    expect(
      decodeMessage(
        msg(RES | 6, [
          "r",
          [
            ["k", ID],
            ["n", NONCE],
            ["seq", 5],
            ["sig", SIG],
            ["v", new Uint8Array([1])],
          ],
        ]),
      ),
    ).toMatchObject({ response: { value: { seq: 5, data: new Uint8Array([1]) } } });
  });

  test("node_info: version text up to 64 characters, an optional endpoint, a time from 0 to 2^31−1, a signature", () => {
    const info = (fields: [string, CborItem][]) => msg(RES | 0x1f, ["r", fields]);
    const base: [string, CborItem][] = [
      ["ts", 0],
      ["sig", SIG],
    ];
    expect(decodeMessage(info([["ver", "v".repeat(64)], ...base]))).toMatchObject({
      response: { method: "node_info", info: { version: "v".repeat(64), endpoint: null, issuedAt: 0, signature: SIG } },
    });
    expect(
      decodeMessage(
        info([
          ["ver", "1"],
          ["e", "https://n.example"],
          ["ts", 2 ** 31 - 1],
          ["sig", SIG],
        ]),
      ),
    ).toMatchObject({ response: { info: { endpoint: "https://n.example", issuedAt: 2 ** 31 - 1 } } });
    expect(refusal(info([["ver", "v".repeat(65)], ...base]))).toEqual({ message: "ver: too long", txid: 77 });
    expect(refusal(info([["ver", 1], ...base]))).toEqual({ message: "ver: not text", txid: 77 });
    expect(refusal(info(base))).toEqual({ message: "ver: not text", txid: 77 });
    expect(refusal(info([["ver", "1"], ["e", 3], ...base]))).toEqual({ message: "e: not text", txid: 77 });
    expect(
      refusal(
        info([
          ["ver", "1"],
          ["ts", -1],
          ["sig", SIG],
        ]),
      ),
    ).toEqual({ message: "ts: not an integer in range", txid: 77 });
    expect(
      refusal(
        info([
          ["ver", "1"],
          ["ts", 2 ** 31],
          ["sig", SIG],
        ]),
      ),
    ).toEqual({ message: "ts: not an integer in range", txid: 77 });
    expect(
      refusal(
        info([
          ["ver", "1"],
          ["ts", 1],
        ]),
      ),
    ).toEqual({ message: "sig: not 64 bytes", txid: 77 });
  });

  test("ping, store_value and announce_peer answers carry nothing", () => {
    for (const [code, method] of [
      [1, "ping"],
      [5, "store_value"],
      [3, "announce_peer"],
    ] as const)
      expect(decodeMessage(msg(RES | code, ["r", [["junk", 1]]]))).toEqual({ txid: 77, version: 5, type: "response", response: { method } });
    expect(decodeMessage(msg(REQ | 0x1f))).toEqual({ txid: 77, version: 5, type: "request", request: { method: "node_info" } });
  });
});
