// Writing a backup set: every object of a snapshot is read in 4 MiB pieces (never whole, never with
// the event loop held), each
// piece sealed as a chunk under its keyed name and sent only if the destination does not have it
// yet (so an unchanged node adds almost nothing), then the signed manifest is sealed and stored
// last: a set exists only once all its chunks do.
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { open } from "node:fs/promises";
import type { BackupKeys } from "./backup-keys.ts";
import { chunkId } from "./backup-keys.ts";
import { type BackupManifest, MANIFEST_VERSION, type ManifestObject, signManifest } from "./backup-manifest.ts";
import { type BackupDestination, setNameAt } from "./destination.ts";
import { sealChunk } from "./sealed-chunks.ts";
import { sealPool } from "./seal-pool.ts";
import type { Snapshot } from "./snapshot.ts";

export const CHUNK_BYTES = 4 * 1024 * 1024;

export interface BackupStats {
  set: string;
  objects: number;
  bytes: number;
  chunks: number;
  /** Unchanged immutable objects taken from the previous set without reading them. */
  objectsReused: number;
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
  /**
   * The previous set's manifest: an object whose path names immutable content (a file blob, a WASM
   * module: a new version gets a new name) and whose size is unchanged is taken from it without
   * reading the bytes again, if the destination still has its chunks. So a backup of an unchanged
   * node costs a look at each object, not a read of every byte.
   */
  previous?: BackupManifest | null;
}

/** Paths whose content never changes once written: blobs and modules are named by their content. */
export const isImmutablePath = (path: string) => path.startsWith("files/") || path.startsWith("wasm-apps/");

export async function writeBackup(o: WriteBackupOptions): Promise<BackupStats> {
  const size = o.chunkBytes ?? CHUNK_BYTES;
  const now = o.now ?? new Date();
  const stats: BackupStats = { set: setNameAt(now), objects: 0, objectsReused: 0, bytes: 0, chunks: 0, chunksWritten: 0, bytesWritten: 0 };
  const objects: ManifestObject[] = [];
  // One buffer for every piece, read with plain reads (no mapping of the file into memory).
  const buffer = new Uint8Array(size);
  /** Bytes read since the last collection. */
  let sinceGc = 0;
  const before = new Map((o.previous?.objects ?? []).filter((x) => isImmutablePath(x.path)).map((x) => [x.path, x]));
  // New pieces are sealed in the workers and stored while the next ones are read: a few in flight,
  // the oldest awaited first; the manifest is stored only once every one of them is.
  const inFlight: Promise<void>[] = [];
  const queued = new Set<string>();
  const send = (id: string, piece: Uint8Array) => {
    queued.add(id);
    const job = sealChunk(o.keys, piece).then(async (sealed) => {
      await o.destination.putChunk(id, sealed.sealed);
      stats.chunksWritten++;
      stats.bytesWritten += sealed.sealed.length;
    });
    job.catch(() => {}); // observed in turn below
    inFlight.push(job);
  };
  try {
    for (const obj of o.snapshot.objects) {
      const known = before.get(obj.path);
      if (known && ("source" in obj ? statSync(obj.source).size : obj.size) === known.size && (await allPresent(o.destination, known.chunks))) {
        objects.push(known);
        stats.objects++;
        stats.objectsReused++;
        stats.bytes += known.size;
        stats.chunks += known.chunks.length;
        continue;
      }
      const hash = createHash("sha256");
      const chunks: string[] = [];
      let total = 0;
      /** One piece of the object: hashed, named, and sent if the destination lacks it. */
      const piece = async (bytes: Uint8Array) => {
        hash.update(bytes);
        total += bytes.byteLength;
        const id = chunkId(o.keys.idKey, bytes);
        chunks.push(id);
        stats.chunks++;
        // Every piece leaves its size in garbage once sealed and written: a collection every 32 MiB
        // keeps the process near its working set (counted in bytes: many small files are not
        // worth a collection every few of them).
        sinceGc += bytes.byteLength;
        if (sinceGc >= 32 * 1024 * 1024) {
          sinceGc = 0;
          Bun.gc(true);
        }
        if (!queued.has(id) && !(await o.destination.hasChunk(id))) {
          // sealChunk copies the piece before it returns: the buffer may be read into again.
          send(id, bytes);
          while (inFlight.length >= sealPool.parallelism) await inFlight.shift();
        }
      };
      if ("bytes" in obj) {
        // A small file's bytes from the database (at most a few pieces' worth, held whole).
        const bytes = obj.bytes();
        if (bytes.byteLength !== obj.size) throw new Error(`${obj.path} changed while it was backed up`);
        for (let at = 0; at === 0 || at < bytes.byteLength; at += size) await piece(bytes.subarray(at, at + size));
        objects.push({ path: obj.path, size: total, sha256: hash.digest("hex"), chunks });
        stats.objects++;
        stats.bytes += total;
        continue;
      }
      // A source that vanished or changed under the snapshot must fail the backup, never be stored short.
      // Read without holding the event loop: the node keeps serving while it backs itself up.
      const file = await open(obj.source, "r");
      try {
        const expected = (await file.stat()).size;
        for (;;) {
          let filled = 0;
          while (filled < size) {
            const { bytesRead } = await file.read(buffer, filled, size - filled, null);
            if (bytesRead === 0) break;
            filled += bytesRead;
          }
          if (filled === 0 && chunks.length > 0) break;
          await piece(buffer.subarray(0, filled));
          if (filled < size) break;
        }
        if (total !== expected || (await file.stat()).size !== expected) throw new Error(`${obj.path} changed while it was backed up`);
      } finally {
        await file.close();
      }
      objects.push({ path: obj.path, size: total, sha256: hash.digest("hex"), chunks });
      stats.objects++;
      stats.bytes += total;
    }
    while (inFlight.length) await inFlight.shift();
  } finally {
    // Failed part-way: nothing may still be writing to the destination when this returns.
    await Promise.allSettled(inFlight);
  }
  const manifest: BackupManifest = { version: MANIFEST_VERSION, nodeId: o.nodeId, createdAt: now.toISOString(), objects };
  const sealedManifest = await sealPool.seal(o.keys.recipient, signManifest(manifest, o.nodeSecretKey));
  await o.destination.putSet(stats.set, sealedManifest);
  stats.bytesWritten += sealedManifest.length;
  return stats;
}

async function allPresent(destination: BackupDestination, ids: string[]): Promise<boolean> {
  for (const id of ids) if (!(await destination.hasChunk(id))) return false;
  return true;
}
