// The backup format's fixed points (server/backup/backup-keys.ts, sealed-chunks.ts, backup-manifest.ts),
// which backups made by earlier versions depend on: the keys derived as docs/backups.md says — checked
// with another HKDF and HMAC (@noble/hashes) than the node's (node:crypto) —, and pinned for one
// phrase; the words of every refusal; every way a manifest that is not this node's backup is refused,
// one check at a time. (backup-crypto.test.ts judges the same code with Debian's age.)
import { describe, expect, test } from "bun:test";
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bech32 } from "@scure/base";
import { backupKeysFromPhrase, backupKeysOf, chunkId } from "../../../server/backup/backup-keys.ts";
import { type BackupManifest, readManifest, signManifest } from "../../../server/backup/backup-manifest.ts";
import { BackupIntegrityError, openChunk, sealChunk } from "../../../server/backup/sealed-chunks.ts";
import { keysFromPhrase, sign } from "../../../server/services/identity/node-id.ts";
import { caught } from "../../helpers/refusal.ts";

const PHRASE = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const OTHER = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const node = keysFromPhrase(PHRASE);
const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("keys", () => {
  test("HKDF-SHA256 of the node key, salt pc2-backup: info age-x25519/v1 is the age identity, chunk-id/v1 the chunk-naming key", async () => {
    const keys = await backupKeysOf(node.secretKey);
    const x25519 = hkdf(sha256, node.secretKey, utf8("pc2-backup"), utf8("age-x25519/v1"), 32);
    expect(keys.identity).toBe(bech32.encode("age-secret-key-", bech32.toWords(x25519), false).toUpperCase());
    const idKey = hkdf(sha256, node.secretKey, utf8("pc2-backup"), utf8("chunk-id/v1"), 32);
    expect(hex(keys.idKey)).toBe(hex(idKey));
    const data = utf8("a chunk's bytes");
    expect(chunkId(keys.idKey, data)).toBe(hex(hmac(sha256, idKey, data)));
  });

  test("pinned for one phrase: a backup made today opens with these words in any later version", async () => {
    const keys = await backupKeysFromPhrase(PHRASE);
    expect(keys.nodeId).toBe("9KpSGdLsiV8Ks2T3nD1AeCx3fh9bnUxUqFFHNUKsE49x");
    expect(keys.recipient).toBe(PINNED.recipient);
    expect(chunkId(keys.idKey, new Uint8Array(0))).toBe(PINNED.emptyChunk);
  });

  test("a node key that is not 32 bytes is refused before anything is derived", async () => {
    for (const n of [0, 31, 33, 64]) {
      const err = await backupKeysOf(new Uint8Array(n)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RangeError);
      expect((err as Error).message).toBe("an ed25519 secret key is 32 bytes");
    }
  });
});

describe("chunks", () => {
  test("each refusal names the chunk by its first 12 characters and says why", async () => {
    const keys = await backupKeysFromPhrase(PHRASE);
    const a = await sealChunk(keys, utf8("first"));
    const b = await sealChunk(keys, utf8("second"));
    const why = async (p: Promise<unknown>) => {
      const err = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(BackupIntegrityError);
      return (err as Error).message;
    };
    const wrong = await backupKeysFromPhrase(OTHER);
    expect(await why(openChunk(wrong, a.id, a.sealed))).toStartWith(`chunk ${a.id.slice(0, 12)}… cannot be decrypted with this phrase, or was damaged (`);
    expect(await why(openChunk(keys, a.id, b.sealed))).toBe(`chunk ${a.id.slice(0, 12)}… holds another chunk's bytes`);
  });
});

describe("manifests: each check on its own", () => {
  const manifest: BackupManifest = { version: 1, nodeId: node.nodeId, createdAt: "2026-12-06T02:00:00.000Z", objects: [] };
  const refused = (doc: Uint8Array | string) => {
    return caught(BackupIntegrityError, () => readManifest(typeof doc === "string" ? utf8(doc) : doc, node.nodeId)).message;
  };
  /** An outer document around any manifest text, signed by this node (or with the signature given). */
  const signed = (body: string, signature?: Uint8Array) => JSON.stringify({ manifest: body, signature: Buffer.from(signature ?? sign(utf8(body), node.secretKey)).toString("base64") });

  test("not UTF-8, not JSON, or without a manifest text and a signature text: not readable", () => {
    const good = JSON.parse(new TextDecoder().decode(signManifest(manifest, node.secretKey))) as { manifest: string; signature: string };
    // A stray byte inside a string: a lenient decoder would read it as U+FFFD and go on to the signature.
    const stray = new Uint8Array([...utf8('{"manifest":"'), 0xff, ...utf8(`","signature":"${good.signature}"}`)]);
    for (const doc of [
      stray,
      "not json",
      "{}",
      JSON.stringify({ signature: good.signature }),
      JSON.stringify({ manifest: good.manifest }),
      JSON.stringify({ manifest: good.manifest, signature: 7 }),
      JSON.stringify({ manifest: {}, signature: good.signature }),
    ])
      expect(refused(doc)).toBe("the manifest is not readable");
  });

  test("a signature that is not 64 bytes, or not this node's: refused as not this node's", () => {
    const body = JSON.stringify(manifest);
    const sig = sign(utf8(body), node.secretKey);
    expect(readManifest(utf8(signed(body, sig)), node.nodeId)).toEqual(manifest);
    for (const bad of [sig.subarray(0, 63), new Uint8Array([...sig, 0]), new Uint8Array(0), sign(utf8(body), keysFromPhrase(OTHER).secretKey)])
      expect(refused(signed(body, bad))).toBe("the manifest's signature is not this node's: it was changed, or made by another node");
  });

  test("signed by this node, yet another version, another node's ID, or objects that are not a list: not a backup of this node", () => {
    const other = keysFromPhrase(OTHER).nodeId;
    for (const bad of [
      { ...manifest, version: 2 },
      { ...manifest, nodeId: other },
      { ...manifest, objects: {} },
      { ...manifest, objects: undefined },
    ])
      expect(refused(signed(JSON.stringify(bad)))).toBe("the manifest is not a PC2 backup of this node");
  });
});

// Computed once from PHRASE by this code, and checked against the derivation above and against
// Debian's age-keygen in backup-crypto.test.ts; never to be changed.
const PINNED = {
  recipient: "age1v4e3m8fmwvus276vu45wwrpjdzz2g7fgtq5mmp84rdps772ma3qqvvdu9v",
  emptyChunk: "791e477811f2b8e4f014532574d15c54b01a0de59fbd6ca99d04fd07bc4a6c5f",
};
