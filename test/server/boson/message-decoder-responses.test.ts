// The v2 message decoder field by field (server/boson/v2/message-decoder.ts), responses: every range at
// its edge and one past it, every refusal with its words, the transaction ID carried on a refusal once
// it was readable, defaults for absent optional fields. (The vectors test holds real messages' bytes;
// the hostile test only that mutated ones fail as ProtocolError.)
import { describe, expect, test } from "bun:test";
import { decodeMessage } from "../../../server/boson/v2/message-decoder.ts";
import { type CborItem, cborEncode, findNode, ID, ID2, msg, NONCE, node4, REQ, RES, refusal, SIG } from "../../helpers/boson-messages.ts";

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
    // No "p" at all: no peers.
    expect((decodeMessage(msg(RES | 4, ["r", []])) as unknown as { response: { peers: unknown[] } }).response.peers).toEqual([]);
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
