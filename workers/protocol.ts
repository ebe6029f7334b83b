// Typed messages between the server and its workers (one definition, imported by both sides).

export type IpfsRequest =
  /** Import a file into the blockstore (CIDv1, raw leaves, 1 MiB chunks) and pin it recursively. */
  | { id: number; op: "add"; path: string /** Collect garbage as it goes: many imports in a row (the re-pin after a restore). */; lean?: boolean }
  /** Import a file that is still being written; `grow` messages say how far it is safe to read. */
  /** `fd`: the file, opened for reading by the node (the same process): it may be renamed while read. */
  | { id: number; op: "addGrowing"; fd: number }
  | { id: number; op: "unpin"; cid: string }
  | { id: number; op: "isPinned"; cid: string }
  | { id: number; op: "pins" }
  /** Delete every block no pin reaches. */
  | { id: number; op: "gc" }
  | { id: number; op: "stop" };

export type IpfsResult =
  | { op: "add"; cid: string; size: number }
  | { op: "addGrowing"; cid: string; size: number }
  | { op: "unpin"; removed: boolean }
  | { op: "isPinned"; pinned: boolean }
  | { op: "pins"; cids: string[] }
  | { op: "gc"; removed: number }
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

/** First message to a new IPFS worker: where its repository lives. */
export interface IpfsWorkerInit {
  repoDir: string;
}
