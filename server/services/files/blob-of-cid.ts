// The bytes of a CID on this node: the blob of any file indexed with it that still has its bytes
// (a blob file, or a small file's bytes in the database). Used where the bytes matter, not whose
// file they are — an owed pin whose own file went (owed-pins.ts), and the IPFS worker reading a
// file's leaves (workers/filestore-blockstore.ts).
import type { BlobSource } from "../../../workers/protocol.ts";
import type { BlobStore } from "./blob-store.ts";
import type { FilesRepository } from "./files.repository.ts";

export function blobSourceOfCid(repo: FilesRepository, blobs: BlobStore, cid: string): BlobSource | null {
  for (const { owner, blob } of repo.blobsWithCid(cid)) {
    const source = blobs.source(owner, blob);
    if (source) return source;
  }
  return null;
}
