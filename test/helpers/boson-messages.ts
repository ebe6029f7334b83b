// Building v2 DHT messages field by field for the decoder's tests (server/boson/v2/message-decoder.ts):
// our own CBOR writer for the shapes the reference writes, cbor-x's encoder for the ones it cannot
// (floats, definite containers), and the refusal a decoded message ends in.
import { Encoder } from "cbor-x/encode";
import { type CborItem, encodeCbor } from "../../server/boson/v2/cbor-writer.ts";
import { decodeMessage } from "../../server/boson/v2/message-decoder.ts";
import { ProtocolError } from "../../server/boson/v2/messages.ts";
import { caught } from "./refusal.ts";

export type { CborItem };
export { encodeCbor };
/**
 * For shapes the project's writer cannot make (floats, definite containers); records off, as the
 * decoder reads. From "cbor-x/encode", never "cbor-x": the main entry switches every decoder in the
 * process to cbor-extract's native string reader, and the optional package installed here is an empty
 * stand-in, so text of 64 bytes and more would no longer decode (the node imports "cbor-x/decode" only).
 */
export const cborEncode = (value: unknown) => new Encoder({ useRecords: false }).encode(value);
export const ID = new Uint8Array(32).fill(7);
export const ID2 = new Uint8Array(32).fill(9);
export const SIG = new Uint8Array(64).fill(1);
export const NONCE = new Uint8Array(24).fill(2);
export const REQ = 0x20;
export const RES = 0x40;

/** A CBOR map of these fields, in the order written, by the project's writer. */
export const fields = (entries: Record<string, CborItem>): Uint8Array => encodeCbor({ map: Object.entries(entries) });

/** A message map with the given top-level fields (y and t first, as the reference writes them). */
export function msg(y: number, body?: [string, [string, CborItem][]], extra: [string, CborItem][] = []): Uint8Array {
  return encodeCbor({ map: [["y", y], ["t", 77], ...(body ? ([[body[0], { map: body[1] }]] as [string, CborItem][]) : []), ["v", 5], ...extra] });
}

/** What decoding refused: the error's words and the txid it carries (undefined when unread). */
export function refusal(data: Uint8Array): { message: string; txid: number | undefined } {
  const err = caught(ProtocolError, () => decodeMessage(data)) as ProtocolError & { txid?: number };
  return { message: err.message, txid: err.txid };
}

export const node4 = (port: CborItem = 4222, ip: CborItem = new Uint8Array([10, 0, 0, 1]), id: CborItem = ID): CborItem => ({ array: [id, ip, port] });
export const findNode = (fields: [string, CborItem][]) => decodeMessage(msg(RES | 2, ["r", fields]));
