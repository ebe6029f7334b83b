// `pc2 storage check [--repair]`: do the index, the blobs (files on disk, and small files' bytes in
// the database) and the IPFS pins agree?
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { BlobSource } from "../../../workers/protocol.ts";
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
  /**
   * CIDs of small files whose pin is owed, not yet made (owed-pins.ts: a node makes them after the
   * answer, and at its next start). Not a fault; repair makes them now.
   */
  owedPins: string[];
  /** Blobs (on disk or in the database) that no index row references (repair deletes them). */
  orphanBlobs: string[];
  /** Pins no index row uses (repair unpins them and collects garbage). */
  orphanPins: string[];
  /** Leftover temp files from interrupted uploads (repair deletes them). */
  tempFiles: string[];
  /**
   * With `deep`: files IPFS cannot give back whole — a block missing, or bytes that do not match
   * their hash (repair imports the file again from its blob). Empty without `deep`.
   */
  unreadable: string[];
  /**
   * Files imported before their leaves' places were recorded (by an earlier version: their leaves
   * are stored in IPFS a second time). Not a fault; repair records the places.
   */
  unplaced: string[];
  /** Bytes of leaves stored in IPFS although a file holds them (after repair: what it freed). */
  storedTwiceBytes: number;
  repaired: boolean;
}

export function isClean(r: StorageReport): boolean {
  return [r.missingBlobs, r.sizeMismatches, r.cidMismatches, r.unpinned, r.orphanBlobs, r.orphanPins, r.tempFiles, r.unreadable].every((a) => a.length === 0);
}

/** A blob the node holds: its file, or an inline blob (its owner, name and size; its bytes are read only when needed). */
type Held = { path: string } | { owner: string; blob: string; size: number };

/** Every blob the node holds, by "owner/blob". */
function blobsHeld(blobs: BlobStore): Map<string, Held> {
  const found = new Map<string, Held>();
  for (const b of blobs.inline.all()) found.set(`${b.owner}/${b.blob}`, b);
  const { filesDir } = blobs;
  if (!existsSync(filesDir)) return found;
  for (const owner of readdirSync(filesDir)) {
    const ownerDir = join(filesDir, owner);
    if (!statSync(ownerDir).isDirectory()) continue;
    for (const shard of readdirSync(ownerDir)) {
      const shardDir = join(ownerDir, shard);
      if (!statSync(shardDir).isDirectory()) continue;
      for (const blob of readdirSync(shardDir)) found.set(`${owner}/${blob}`, { path: join(shardDir, blob) });
    }
  }
  return found;
}

/** Damaged stored blocks of one file written again by a deep repair, at most. */
const MAX_MENDS = 64;

/**
 * `deep` also reads every pinned file back through IPFS (each block against its hash): slow on a
 * large node, as it reads every byte.
 */
export async function checkStorage(repo: FilesRepository, blobs: BlobStore, ipfs: IpfsClient, repair: boolean, opts: { deep?: boolean } = {}): Promise<StorageReport> {
  const rows = repo.allFiles();
  const held = blobsHeld(blobs);
  const pins = new Set(await ipfs.pins());
  /** Pinned files without places, until a row using each is checked (one re-import for a shared CID). */
  const unplaced = new Set(await ipfs.unplaced([...pins]));
  const owed = new Set(repo.owedPins().map((o) => `${o.owner}/${o.blob}`));
  const report: StorageReport = {
    files: rows.length,
    missingBlobs: [],
    sizeMismatches: [],
    cidMismatches: [],
    unpinned: [],
    owedPins: [],
    orphanBlobs: [],
    orphanPins: [],
    tempFiles: [],
    unreadable: [],
    unplaced: [],
    storedTwiceBytes: 0,
    repaired: repair,
  };
  const usedCids = new Set<string>();
  const readBack = new Set<string>();

  for (const row of rows) {
    const key = `${row.owner}/${row.blob}`;
    const where = `${row.owner}${row.path}`;
    const found = held.get(key);
    held.delete(key);
    if (!found) {
      report.missingBlobs.push(where);
      // Repair drops the row (its bytes are gone), so its CID is only still in use without repair.
      if (repair) repo.deleteTree(row.owner, row);
      else if (row.cid) usedCids.add(row.cid);
      continue;
    }
    if (("path" in found ? statSync(found.path).size : found.size) !== row.size) report.sizeMismatches.push(where);
    // What an import reads: the file, or the inline bytes (read once, if an import needs them).
    let inline: BlobSource | null = null;
    const source = () => ("path" in found ? found : (inline ??= blobs.source(found.owner, found.blob) ?? { bytes: new Uint8Array() }));
    if (row.cid) usedCids.add(row.cid);
    if (row.cid && !pins.has(row.cid)) {
      (owed.has(key) ? report.owedPins : report.unpinned).push(row.cid);
      if (repair) {
        // Pinning again re-imports the blob, which also proves the bytes still hash to the CID.
        const cid = await ipfs.add(source(), { lean: true });
        if (cid !== row.cid) report.cidMismatches.push(where);
        pins.add(cid);
      }
    }
    if (repair && owed.has(key) && pins.has(row.cid ?? "")) repo.pinPaid(row.owner, row.blob!);
    if (row.cid && unplaced.delete(row.cid)) {
      report.unplaced.push(where);
      // Importing again records where its leaves lie. Bytes changed on disk import as another CID,
      // pinned by the import and used by nothing (then left to the orphan pins below).
      if (repair) {
        const cid = await ipfs.add(source(), { lean: true });
        pins.add(cid);
        if (cid !== row.cid) report.cidMismatches.push(where);
      }
    }
    if (opts.deep && row.cid && pins.has(row.cid) && !readBack.has(row.cid)) {
      readBack.add(row.cid);
      let read = await ipfs.verify(row.cid, { mend: repair });
      const problem = read.problem ?? (read.size !== row.size ? `${read.size} bytes read back, ${row.size} indexed` : null);
      if (problem) report.unreadable.push(`${where}: ${problem}`);
      // Importing again records the file's leaves anew (the repair when their places were lost) and
      // writes again a stored block found damaged (dropped by the check): one at a time, as a damaged
      // block hides those below it. Bytes that changed on disk import as another CID (then left to
      // the orphan pins below).
      for (let mends = 0; repair && problem; mends++) {
        const cid = await ipfs.add(source(), { lean: true });
        pins.add(cid);
        if (cid !== row.cid) {
          report.cidMismatches.push(where);
          break;
        }
        if (read.dropped === null || mends === MAX_MENDS) break;
        read = await ipfs.verify(row.cid, { mend: true });
        if (read.problem === null) break;
      }
    }
  }
  for (const [key, found] of held) {
    report.orphanBlobs.push(key);
    if (!repair) continue;
    if ("path" in found) rmSync(found.path, { force: true });
    else blobs.inline.remove(found.owner, found.blob);
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
  // Every pinned file now has its places: the stored second copies of its leaves can go.
  report.storedTwiceBytes = (await ipfs.reclaim(!repair)).bytes;
  return report;
}
