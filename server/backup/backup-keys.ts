// The keys of a node's backups, all derived from its identity key, so the 12 words alone open them:
// phrase → SLIP-0010 ed25519 key (the node's identity) → HKDF-SHA256 → an age X25519 identity (the
// backups are age files any `age` can decrypt with it) and a chunk-naming key (chunks are stored
// under an HMAC of their content, so a destination can neither read a chunk nor test a guess of
// what one holds). The node keeps only its identity key; the phrase is not needed to back up.
import { createHmac, hkdfSync } from "node:crypto";
import { bech32 } from "@scure/base";
import { keysFromPhrase } from "../services/identity/node-id.ts";

const SALT = "pc2-backup";

export interface BackupKeys {
  /** The age identity (AGE-SECRET-KEY-1…): decrypts every chunk and manifest. A secret. */
  identity: string;
  /** Its age recipient (age1…): what backups are encrypted to. */
  recipient: string;
  /** Names chunks: HMAC-SHA256(idKey, plaintext). A secret. */
  idKey: Uint8Array;
}

function derive(secretKey: Uint8Array, info: string): Uint8Array {
  if (secretKey.length !== 32) throw new RangeError("an ed25519 secret key is 32 bytes");
  return new Uint8Array(hkdfSync("sha256", secretKey, SALT, info, 32));
}

/** The backup keys of the node whose ed25519 secret key this is. */
export async function backupKeysOf(nodeSecretKey: Uint8Array): Promise<BackupKeys> {
  const x25519 = derive(nodeSecretKey, "age-x25519/v1");
  const identity = bech32.encode("age-secret-key-", bech32.toWords(x25519), false).toUpperCase();
  // age-encryption is loaded here, when a backup starts, not with the node (~14 ms of its start-up).
  const { identityToRecipient } = await import("age-encryption");
  return { identity, recipient: await identityToRecipient(identity), idKey: derive(nodeSecretKey, "chunk-id/v1") };
}

/** The same keys on a new machine, from the recovery phrase alone. */
export function backupKeysFromPhrase(phrase: string): Promise<BackupKeys & { nodeId: string }> {
  const node = keysFromPhrase(phrase);
  return backupKeysOf(node.secretKey).then((k) => ({ ...k, nodeId: node.nodeId }));
}

/** A chunk's name: keyed, so equal content gets equal names for this node only. */
export function chunkId(idKey: Uint8Array, plaintext: Uint8Array): string {
  return createHmac("sha256", idKey).update(plaintext).digest("hex");
}
