// The v2 message decoder field by field (server/boson/v2/message-decoder.ts), requests: every range at
// its edge and one past it, every refusal with its words, the transaction ID carried on a refusal once
// it was readable, defaults for absent optional fields. (The vectors test holds real messages' bytes;
// the hostile test only that mutated ones fail as ProtocolError.)
import { describe, expect, test } from "bun:test";
import { decodeMessage } from "../../../server/boson/v2/message-decoder.ts";
import { type CborItem, ID, ID2, msg, NONCE, REQ, refusal, SIG } from "../../helpers/boson-messages.ts";

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
