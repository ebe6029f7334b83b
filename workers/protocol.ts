// Typed messages between the server and its workers (one definition, imported by both sides).

/**
 * Files are imported in blocks of this size (raw leaves, CIDv1). A file no larger than one block is
 * that one raw block, so its CID is the SHA-256 of its bytes (server/services/files/single-block-cid.ts).
 */
export const IMPORT_CHUNK_SIZE = 1_048_576;

/** Where a file's bytes are: its blob file, or (a small file kept in the database) the bytes themselves. */
export type BlobSource = { path: string } | { bytes: Uint8Array };

export type IpfsRequest =
  /** Import a file into the blockstore (CIDv1, raw leaves, 1 MiB chunks) and pin it recursively. */
  | { id: number; op: "add"; source: BlobSource /** Collect garbage as it goes: many imports in a row (the re-pin after a restore). */; lean?: boolean }
  /** Import a file that is still being written; `grow` messages say how far it is safe to read. */
  /** `fd`: the file, opened for reading by the node (the same process): it may be renamed while read. */
  | { id: number; op: "addGrowing"; fd: number }
  | { id: number; op: "unpin"; cid: string }
  | { id: number; op: "isPinned"; cid: string }
  | { id: number; op: "pins" }
  /** Delete every block no pin reaches. */
  | { id: number; op: "gc" }
  /**
   * Read the whole DAG of `cid` back through the blockstore, checking every block against its hash.
   * `mend`: a stored block found damaged is deleted, so that importing the file again rewrites it.
   */
  | { id: number; op: "verify"; cid: string; mend?: boolean }
  /** Which of these files (root CIDs) have no leaf with a recorded place (imported by an earlier version). */
  | { id: number; op: "unplaced"; cids: string[] }
  /** Delete stored copies of leaves that have a place in a file (`dryRun`: count them). */
  | { id: number; op: "reclaim"; dryRun: boolean }
  | { id: number; op: "stop" };

export type IpfsResult =
  | { op: "add"; cid: string; size: number }
  | { op: "addGrowing"; cid: string; size: number }
  | { op: "unpin"; removed: boolean }
  | { op: "isPinned"; pinned: boolean }
  | { op: "pins"; cids: string[] }
  | { op: "gc"; removed: number }
  /**
   * `size`: the bytes of the file's leaves; `problem`: why it could not be read whole, or null;
   * `dropped`: the damaged stored block deleted (with `mend`), or null.
   */
  | { op: "verify"; blocks: number; size: number; problem: string | null; dropped: string | null }
  | { op: "unplaced"; cids: string[] }
  | { op: "reclaim"; blocks: number; bytes: number }
  | { op: "stop" };

/** For an addGrowing request: `size` bytes are written; `done` when that is all; `abort` to give up. */
export interface IpfsGrow {
  op: "grow";
  id: number;
  size: number;
  done?: boolean;
  abort?: boolean;
}

export type IpfsResponse = { id: number; ok: true; result: IpfsResult } | { id: number; ok: false; error: string };

/**
 * From the worker: where are the bytes of the file with this root CID? (A file's leaves are read from the
 * file itself: workers/filestore-blockstore.ts.) The node answers with an IpfsLocated.
 */
export interface IpfsLocate {
  op: "locate";
  id: number;
  root: string;
}

export interface IpfsLocated {
  op: "located";
  id: number;
  source: BlobSource | null;
}

/** First message to a new IPFS worker: where its repository lives. */
export interface IpfsWorkerInit {
  repoDir: string;
}
