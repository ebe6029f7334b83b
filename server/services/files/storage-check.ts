// `pc2 storage check [--repair]`: do the index, the blobs on disk and the IPFS pins agree?
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { BlobStore } from "./blob-store.ts";
import type { FilesRepository } from "./files.repository.ts";
import type { IpfsClient } from "./ipfs.client.ts";

export interface StorageReport {
  files: number;
  /** Index rows whose bytes are gone (the file is lost; repair removes the row). */
  missingBlobs: string[];
  /** Index rows whose blob has another size than recorded. */
  sizeMismatches: string[];
  /** Index rows whose bytes no longer hash to their CID. */
  cidMismatches: string[];
  /** CIDs the index uses that are not pinned (repair pins them again from the blob). */
  unpinned: string[];
  /** Blobs on disk that no index row references (repair deletes them). */
  orphanBlobs: string[];
  /** Pins no index row uses (repair unpins them and collects garbage). */
  orphanPins: string[];
  /** Leftover temp files from interrupted uploads (repair deletes them). */
  tempFiles: string[];
  repaired: boolean;
}

export function isClean(r: StorageReport): boolean {
  return [r.missingBlobs, r.sizeMismatches, r.cidMismatches, r.unpinned, r.orphanBlobs, r.orphanPins, r.tempFiles].every((a) => a.length === 0);
}

function blobsOnDisk(filesDir: string): Map<string, string> {
  const found = new Map<string, string>(); // "owner/blob" → full path
  if (!existsSync(filesDir)) return found;
  for (const owner of readdirSync(filesDir)) {
    const ownerDir = join(filesDir, owner);
    if (!statSync(ownerDir).isDirectory()) continue;
    for (const shard of readdirSync(ownerDir)) {
      const shardDir = join(ownerDir, shard);
      if (!statSync(shardDir).isDirectory()) continue;
      for (const blob of readdirSync(shardDir)) found.set(`${owner}/${blob}`, join(shardDir, blob));
    }
  }
  return found;
}

export async function checkStorage(repo: FilesRepository, blobs: BlobStore, ipfs: IpfsClient, repair: boolean): Promise<StorageReport> {
  const rows = repo.allFiles();
  const onDisk = blobsOnDisk(blobs.filesDir);
  const pins = new Set(await ipfs.pins());
  const report: StorageReport = { files: rows.length, missingBlobs: [], sizeMismatches: [], cidMismatches: [], unpinned: [], orphanBlobs: [], orphanPins: [], tempFiles: [], repaired: repair };
  const usedCids = new Set<string>();

  for (const row of rows) {
    const key = `${row.owner}/${row.blob}`;
    const where = `${row.owner}${row.path}`;
    const path = onDisk.get(key);
    onDisk.delete(key);
    if (!path) {
      report.missingBlobs.push(where);
      // Repair drops the row (its bytes are gone), so its CID is only still in use without repair.
      if (repair) repo.deleteTree(row.owner, row);
      else if (row.cid) usedCids.add(row.cid);
      continue;
    }
    if (statSync(path).size !== row.size) report.sizeMismatches.push(where);
    if (row.cid) usedCids.add(row.cid);
    if (row.cid && !pins.has(row.cid)) {
      report.unpinned.push(row.cid);
      if (repair) {
        // Pinning again re-imports the blob, which also proves the bytes still hash to the CID.
        const cid = await ipfs.add(path, { lean: true });
        if (cid !== row.cid) report.cidMismatches.push(where);
        pins.add(cid);
      }
    }
  }
  for (const [key, path] of onDisk) {
    report.orphanBlobs.push(key);
    if (repair) rmSync(path, { force: true });
  }
  for (const cid of pins) {
    if (usedCids.has(cid)) continue;
    report.orphanPins.push(cid);
    if (repair) await ipfs.unpin(cid);
  }
  if (existsSync(blobs.tmpDir)) {
    for (const name of readdirSync(blobs.tmpDir)) {
      if (!name.startsWith("upload-")) continue; // resumable-* belong to live upload sessions
      report.tempFiles.push(name);
      if (repair) rmSync(join(blobs.tmpDir, name), { force: true });
    }
  }
  if (repair && report.orphanPins.length) await ipfs.gc();
  return report;
}
