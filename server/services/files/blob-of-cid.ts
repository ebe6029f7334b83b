// The bytes of a CID on this node: a blob of any file indexed with it that is still on disk. Used
// where the bytes matter, not whose file they are — an owed pin whose own file went (owed-pins.ts),
// and the IPFS worker reading a file's leaves (workers/filestore-blockstore.ts).
import { existsSync } from "node:fs";
import type { BlobStore } from "./blob-store.ts";
import type { FilesRepository } from "./files.repository.ts";

export function blobPathOfCid(repo: FilesRepository, blobs: BlobStore, cid: string): string | null {
  for (const { owner, blob } of repo.blobsWithCid(cid)) {
    const path = blobs.path(owner, blob);
    if (existsSync(path)) return path;
  }
  return null;
}
