// The cryptographic core of backups, judged by Debian's `age`: the phrase alone gives the keys (the
// same on a new machine as from the node's key); `age -d` opens a sealed chunk with the identity
// derived from the phrase, and what `age -r` seals opens here; a wrong phrase, a flipped bit, a cut
// end, or a chunk in another's place is refused; a changed or foreign manifest is refused.
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { backupKeysFromPhrase, backupKeysOf, chunkId } from "../../../server/backup/backup-keys.ts";
import { type BackupManifest, readManifest, signManifest } from "../../../server/backup/backup-manifest.ts";
import { BackupIntegrityError, openChunk, sealChunk } from "../../../server/backup/sealed-chunks.ts";
import { keysFromPhrase } from "../../../server/services/identity/node-id.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";

const PHRASE = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const OTHER = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const tmp = makeTempDir();
afterAll(() => tmp.remove());

const age = (args: string[], input?: Uint8Array) => {
  const r = Bun.spawnSync(["age", ...args], { stdin: input ? Buffer.from(input) : "ignore", stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, out: new Uint8Array(r.stdout), err: r.stderr.toString() };
};
const bytes = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * 131 + seed) & 0xff);

describe("keys", () => {
  test("from the phrase on a new machine = from the node's own key; different phrases, different keys; fixed by the phrase", async () => {
    const fromPhrase = await backupKeysFromPhrase(PHRASE);
    const fromNode = await backupKeysOf(keysFromPhrase(PHRASE).secretKey);
    expect(fromPhrase.identity).toBe(fromNode.identity);
    expect(fromPhrase.recipient).toBe(fromNode.recipient);
    expect(Buffer.from(fromPhrase.idKey).equals(Buffer.from(fromNode.idKey))).toBe(true);
    expect(fromPhrase.nodeId).toBe("9KpSGdLsiV8Ks2T3nD1AeCx3fh9bnUxUqFFHNUKsE49x");
    expect(fromPhrase.identity).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
    expect(fromPhrase.recipient).toMatch(/^age1[0-9a-z]{58}$/);
    const other = await backupKeysFromPhrase(OTHER);
    expect(other.identity).not.toBe(fromPhrase.identity);
    // Debian's age-keygen derives the same recipient from our identity.
    writeFileSync(join(tmp.path, "id.txt"), `${fromPhrase.identity}\n`);
    const keygen = Bun.spawnSync(["age-keygen", "-y", join(tmp.path, "id.txt")]);
    expect(keygen.stdout.toString().trim()).toBe(fromPhrase.recipient);
  });

  test("chunk names are keyed: equal bytes, equal names for one node, other names for another", async () => {
    const a = await backupKeysFromPhrase(PHRASE);
    const b = await backupKeysFromPhrase(OTHER);
    const data = bytes(1000, 1);
    expect(chunkId(a.idKey, data)).toBe(chunkId(a.idKey, data));
    expect(chunkId(a.idKey, data)).not.toBe(chunkId(b.idKey, data));
    expect(chunkId(a.idKey, data)).not.toBe(new Bun.CryptoHasher("sha256").update(data).digest("hex"));
  });
});

describe("chunks, with Debian's age", () => {
  test("age -d opens what we seal; what age -r seals opens here", async () => {
    const keys = await backupKeysFromPhrase(PHRASE);
    const data = bytes(200_000, 3);
    const { id, sealed } = await sealChunk(keys, data);
    writeFileSync(join(tmp.path, "id.txt"), `${keys.identity}\n`);
    const opened = age(["-d", "-i", join(tmp.path, "id.txt")], sealed);
    expect(opened.err).toBe("");
    expect(Buffer.from(opened.out).equals(Buffer.from(data))).toBe(true);
    const theirs = age(["-r", keys.recipient], data);
    expect(theirs.code).toBe(0);
    expect(Buffer.from(await openChunk(keys, id, theirs.out)).equals(Buffer.from(data))).toBe(true);
  });

  test("refused: the wrong phrase, a flipped bit, a cut end, a chunk in another's place", async () => {
    const keys = await backupKeysFromPhrase(PHRASE);
    const a = await sealChunk(keys, bytes(100_000, 5));
    const b = await sealChunk(keys, bytes(100_000, 6));
    const wrong = await backupKeysFromPhrase(OTHER);
    await expect(openChunk(wrong, a.id, a.sealed)).rejects.toBeInstanceOf(BackupIntegrityError);
    for (const at of [40, Math.floor(a.sealed.length / 2), a.sealed.length - 1]) {
      const flipped = new Uint8Array(a.sealed);
      flipped[at]! ^= 0x01;
      await expect(openChunk(keys, a.id, flipped)).rejects.toBeInstanceOf(BackupIntegrityError);
    }
    await expect(openChunk(keys, a.id, a.sealed.subarray(0, a.sealed.length - 100))).rejects.toBeInstanceOf(BackupIntegrityError);
    await expect(openChunk(keys, a.id, b.sealed)).rejects.toThrow("holds another chunk's bytes");
    expect((await openChunk(keys, a.id, a.sealed)).length).toBe(100_000);
  });
});

describe("manifests", () => {
  const node = keysFromPhrase(PHRASE);
  const manifest: BackupManifest = {
    version: 1,
    nodeId: node.nodeId,
    createdAt: "2026-12-04T05:00:00.000Z",
    objects: [{ path: "pc2.db", size: 4096, sha256: "ab".repeat(32), chunks: ["cd".repeat(32)] }],
  };

  test("signed by the node key and read back under its Node ID", () => {
    expect(readManifest(signManifest(manifest, node.secretKey), node.nodeId)).toEqual(manifest);
  });

  test("refused: one changed size, another node's signature, another node's ID, not a manifest", () => {
    const doc = JSON.parse(new TextDecoder().decode(signManifest(manifest, node.secretKey)));
    doc.manifest = doc.manifest.replace('"size":4096', '"size":4097');
    expect(() => readManifest(new TextEncoder().encode(JSON.stringify(doc)), node.nodeId)).toThrow(BackupIntegrityError);
    const other = keysFromPhrase(OTHER);
    expect(() => readManifest(signManifest({ ...manifest, nodeId: other.nodeId }, other.secretKey), node.nodeId)).toThrow("not this node's");
    expect(() => readManifest(signManifest(manifest, node.secretKey), other.nodeId)).toThrow(BackupIntegrityError);
    expect(() => readManifest(new TextEncoder().encode("not json"), node.nodeId)).toThrow("not readable");
  });
});
