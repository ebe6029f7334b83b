// The CID of a file that fits in one IPFS block, from the SHA-256 of its bytes: the importer stores
// such a file as one raw leaf and names the file by it (CIDv1, raw codec, sha2-256). The node can
// then index a small file before the IPFS worker has imported it (owed-pins.ts).
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { create as digestOf } from "multiformats/hashes/digest";
import { sha256 } from "multiformats/hashes/sha2";
import { IMPORT_CHUNK_SIZE } from "../../../workers/protocol.ts";

/** The largest file whose CID this gives: larger ones are a tree of blocks, named by the import. */
export const SINGLE_BLOCK_MAX = IMPORT_CHUNK_SIZE;

export function singleBlockCid(size: number, sha256Digest: Uint8Array): string {
  if (size > SINGLE_BLOCK_MAX) throw new RangeError(`a file of ${size} bytes is more than one block`);
  if (sha256Digest.byteLength !== 32) throw new RangeError("a SHA-256 digest is 32 bytes");
  return CID.createV1(raw.code, digestOf(sha256.code, sha256Digest)).toString();
}
