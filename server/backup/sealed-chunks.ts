// A backup chunk at rest: the age encryption (v1, X25519 recipient) of its bytes, stored under its
// keyed name. Opening checks both: age's authenticated stream refuses a flipped bit or a cut end,
// and the name refuses a chunk put in another chunk's place. The age work runs in the sealing
// workers (seal-pool.ts), never on the caller's thread.
import { type BackupKeys, chunkId } from "./backup-keys.ts";
import { sealPool } from "./seal-pool.ts";

export class BackupIntegrityError extends Error {}

export interface SealedChunk {
  id: string;
  sealed: Uint8Array;
}

export async function sealChunk(keys: Pick<BackupKeys, "recipient" | "idKey">, plaintext: Uint8Array): Promise<SealedChunk> {
  const id = chunkId(keys.idKey, plaintext);
  return { id, sealed: await sealPool.seal(keys.recipient, plaintext) };
}

/** The bytes of chunk `id`, or BackupIntegrityError when they are not exactly what was sealed under it. */
export async function openChunk(keys: Pick<BackupKeys, "identity" | "idKey">, id: string, sealed: Uint8Array): Promise<Uint8Array> {
  let plaintext: Uint8Array;
  try {
    plaintext = await sealPool.open(keys.identity, sealed);
  } catch (err) {
    throw new BackupIntegrityError(`chunk ${id.slice(0, 12)}… cannot be decrypted with this phrase, or was damaged (${(err as Error).message})`);
  }
  if (chunkId(keys.idKey, plaintext) !== id) throw new BackupIntegrityError(`chunk ${id.slice(0, 12)}… holds another chunk's bytes`);
  return plaintext;
}
