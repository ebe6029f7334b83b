// Writing a backup set: every object of a snapshot is read in 4 MiB pieces (never whole), each
// piece sealed as a chunk under its keyed name and sent only if the destination does not have it
// yet (so an unchanged node adds almost nothing), then the signed manifest is sealed and stored
// last: a set exists only once all its chunks do.
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { Encrypter } from "age-encryption";
import type { BackupKeys } from "./backup-keys.ts";
import { chunkId } from "./backup-keys.ts";
import { type BackupManifest, MANIFEST_VERSION, type ManifestObject, signManifest } from "./backup-manifest.ts";
import { type BackupDestination, setNameAt } from "./destination.ts";
import { sealChunk } from "./sealed-chunks.ts";
import type { Snapshot } from "./snapshot.ts";

export const CHUNK_BYTES = 4 * 1024 * 1024;

export interface BackupStats {
  set: string;
  objects: number;
  bytes: number;
  chunks: number;
  /** Chunks the destination did not have (what this backup added). */
  chunksWritten: number;
  bytesWritten: number;
}

export interface WriteBackupOptions {
  snapshot: Snapshot;
  keys: BackupKeys;
  nodeId: string;
  nodeSecretKey: Uint8Array;
  destination: BackupDestination;
  now?: Date;
  chunkBytes?: number;
}

export async function writeBackup(o: WriteBackupOptions): Promise<BackupStats> {
  const size = o.chunkBytes ?? CHUNK_BYTES;
  const now = o.now ?? new Date();
  const stats: BackupStats = { set: setNameAt(now), objects: 0, bytes: 0, chunks: 0, chunksWritten: 0, bytesWritten: 0 };
  const objects: ManifestObject[] = [];
  for (const obj of o.snapshot.objects) {
    // A source that vanished or changed under the snapshot must fail the backup, never be stored short.
    const total = statSync(obj.source).size;
    const file = Bun.file(obj.source);
    const hash = createHash("sha256");
    const chunks: string[] = [];
    for (let at = 0; at < total || (at === 0 && chunks.length === 0); at += size) {
      const piece = new Uint8Array(await file.slice(at, Math.min(total, at + size)).arrayBuffer());
      hash.update(piece);
      const id = chunkId(o.keys.idKey, piece);
      chunks.push(id);
      stats.chunks++;
      if (!(await o.destination.hasChunk(id))) {
        const sealed = await sealChunk(o.keys, piece);
        await o.destination.putChunk(id, sealed.sealed);
        stats.chunksWritten++;
        stats.bytesWritten += sealed.sealed.length;
      }
      if (total === 0) break;
    }
    if (statSync(obj.source).size !== total) throw new Error(`${obj.path} changed while it was backed up`);
    objects.push({ path: obj.path, size: total, sha256: hash.digest("hex"), chunks });
    stats.objects++;
    stats.bytes += total;
  }
  const manifest: BackupManifest = { version: MANIFEST_VERSION, nodeId: o.nodeId, createdAt: now.toISOString(), objects };
  const e = new Encrypter();
  e.addRecipient(o.keys.recipient);
  const sealedManifest = await e.encrypt(signManifest(manifest, o.nodeSecretKey));
  await o.destination.putSet(stats.set, sealedManifest);
  stats.bytesWritten += sealedManifest.length;
  return stats;
}
