// Messages between the node and its fsync threads (server/fs/fsync-pool.ts, workers/fsync.worker.ts).

/** Flush `fd` (a descriptor the node opened: threads share them) to the disk. */
export interface FlushRequest {
  id: number;
  fd: number;
  /** fdatasync(2): the bytes and what reading them needs (the size), not the times. */
  dataOnly?: boolean;
}

/** Create the file at `path` (it must not exist; owner-only), write `bytes`, flush it and close it. */
export interface CreateRequest {
  id: number;
  create: string;
  bytes: Uint8Array;
}

/** Rename `from` to `to`, making `to`'s folder (owner-only) first if it is missing. */
export interface MoveRequest {
  id: number;
  move: [from: string, to: string];
}

export type FsyncRequest = FlushRequest | CreateRequest | MoveRequest;

/** Done; or failed with the system's error code (EIO, ENOSPC, EBADF…) and message. */
export interface FsyncResponse {
  id: number;
  code?: string;
  message?: string;
}
