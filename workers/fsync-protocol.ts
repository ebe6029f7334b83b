// Messages between the node and its fsync threads (server/fs/fsync-pool.ts, workers/fsync.worker.ts).

/** Flush `fd` (a descriptor the node opened: threads share them) to the disk. */
export interface FsyncRequest {
  id: number;
  fd: number;
  /** fdatasync(2): the bytes and what reading them needs (the size), not the times. */
  dataOnly?: boolean;
}

/** Done; or failed with the system's error code (EIO, ENOSPC, EBADF…) and message. */
export interface FsyncResponse {
  id: number;
  code?: string;
  message?: string;
}
