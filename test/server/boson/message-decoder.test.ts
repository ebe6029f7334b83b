// The v2 message decoder field by field (server/boson/v2/message-decoder.ts), the envelope: every range at
// its edge and one past it, every refusal with its words, the transaction ID carried on a refusal once
// it was readable, defaults for absent optional fields. (The vectors test holds real messages' bytes;
// the hostile test only that mutated ones fail as ProtocolError.)
import { describe, expect, test } from "bun:test";
import { decodeMessage } from "../../../server/boson/v2/message-decoder.ts";
import { ProtocolError } from "../../../server/boson/v2/messages.ts";
import { type CborItem, cborEncode, fields, REQ, RES, refusal } from "../../helpers/boson-messages.ts";

describe("the envelope", () => {
  test("not CBOR, not a map, y and t out of range or absent, t zero", () => {
    expect(refusal(new Uint8Array([0xff, 0x00]))).toEqual({ message: "not CBOR", txid: undefined });
    expect(refusal(cborEncode([1, 2]))).toEqual({ message: "not a message map", txid: undefined });
    expect(refusal(cborEncode(new Uint8Array(3)))).toEqual({ message: "not a message map", txid: undefined });
    expect(refusal(cborEncode(null))).toEqual({ message: "not a message map", txid: undefined });
    expect(refusal(fields({ t: 1 }))).toEqual({ message: "y: not an integer in range", txid: undefined });
    expect(refusal(fields({ y: 0x100, t: 1 }))).toEqual({ message: "y: not an integer in range", txid: undefined });
    expect(refusal(fields({ y: -1, t: 1 }))).toEqual({ message: "y: not an integer in range", txid: undefined });
    expect(refusal(cborEncode({ y: 1.5, t: 1 }))).toEqual({ message: "y: not an integer in range", txid: undefined });
    expect(refusal(fields({ y: REQ | 1 }))).toEqual({ message: "t: not an integer in range", txid: undefined });
    expect(refusal(fields({ y: REQ | 1, t: 0 }))).toEqual({ message: "t: zero", txid: undefined });
    expect(refusal(fields({ y: REQ | 1, t: 2 ** 31 }))).toEqual({ message: "t: not an integer in range", txid: undefined });
    expect(refusal(cborEncode({ y: REQ | 1, t: -(2 ** 31) - 1 }))).toEqual({ message: "t: not an integer in range", txid: undefined });
  });

  test("the widest y, t and v are read; v defaults to 0; unknown fields are ignored", () => {
    expect(decodeMessage(fields({ y: REQ | 1, t: 2 ** 31 - 1, v: 2 ** 31 - 1 }))).toEqual({ txid: 2 ** 31 - 1, version: 2 ** 31 - 1, type: "request", request: { method: "ping" } });
    expect(decodeMessage(cborEncode({ y: REQ | 1, t: -(2 ** 31), v: -(2 ** 31) }))).toMatchObject({ txid: -(2 ** 31), version: -(2 ** 31) });
    expect(decodeMessage(fields({ y: REQ | 1, t: 3, zz: "anything" }))).toEqual({ txid: 3, version: 0, type: "request", request: { method: "ping" } });
    // y = 0xff: type bits 0xe0 (unknown) with method 31 (node_info).
    expect(refusal(fields({ y: 0xff, t: 3 }))).toEqual({ message: "unknown message type", txid: 3 });
  });

  test("an unknown method is flagged (answered with 204) and keeps its txid; an unknown type keeps its txid", () => {
    let caught: (ProtocolError & { txid?: number; unknownMethod?: boolean }) | null = null;
    try {
      decodeMessage(fields({ y: REQ | 7, t: 12 }));
    } catch (err) {
      caught = err as typeof caught;
    }
    expect(caught).toBeInstanceOf(ProtocolError);
    expect(caught!.message).toBe("unknown method 7");
    expect(caught!.txid).toBe(12);
    expect(caught!.unknownMethod).toBe(true);
    expect(refusal(fields({ y: REQ | 0, t: 12 }))).toEqual({ message: "unknown method 0", txid: 12 });
    expect(refusal(fields({ y: 0x60 | 1, t: 12 }))).toEqual({ message: "unknown message type", txid: 12 });
    expect(refusal(fields({ y: 0x80 | 1, t: 12 }))).toEqual({ message: "unknown message type", txid: 12 });
  });

  test("a body that is not a map is refused with the txid; a missing body reads as empty", () => {
    expect(refusal(fields({ y: REQ | 2, t: 9, q: 5 }))).toEqual({ message: "q: not a map", txid: 9 });
    expect(refusal(fields({ y: RES | 2, t: 9, r: { array: [] } }))).toEqual({ message: "r: not a map", txid: 9 });
    expect(refusal(fields({ y: 0x00 | 1, t: 9, e: "x" }))).toEqual({ message: "e: not a map", txid: 9 });
    expect(refusal(fields({ y: REQ | 2, t: 9 }))).toEqual({ message: "t: not 32 bytes", txid: 9 });
    expect(decodeMessage(fields({ y: RES | 2, t: 9 }))).toMatchObject({ response: { method: "find_node", nodes4: [], nodes6: [], token: 0 } });
  });

  test("errors: code and message read; a null or absent message is empty; a message that is not text is refused", () => {
    const error = (body: Record<string, CborItem>) => fields({ y: 0x00 | 5, t: 4, e: { map: Object.entries(body) } });
    expect(decodeMessage(error({ c: 302, m: "seq" }))).toEqual({ txid: 4, version: 0, type: "error", method: "store_value", code: 302, message: "seq" });
    expect(decodeMessage(error({ c: 201, m: null }))).toMatchObject({ code: 201, message: "" });
    expect(decodeMessage(error({ c: 201 }))).toMatchObject({ code: 201, message: "" });
    expect(refusal(error({ c: 201, m: 5 }))).toEqual({ message: "m: not text", txid: 4 });
    expect(refusal(error({ m: "x" }))).toEqual({ message: "c: not an integer in range", txid: 4 });
  });
});
