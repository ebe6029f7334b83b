// Where backup sets go: one interface for every destination (a folder on a disk, a download, a
// friend's PC2 node). A destination stores sealed chunks by name and sealed manifests by set name;
// it never sees a key, a file name or a byte of plaintext.

export interface BackupDestination {
  /** What to call it in messages (a path, a Node ID). */
  readonly label: string;
  hasChunk(id: string): Promise<boolean>;
  /** Store a sealed chunk; when this resolves, it is durable (written, flushed, renamed). */
  putChunk(id: string, sealed: Uint8Array): Promise<void>;
  getChunk(id: string): Promise<Uint8Array>;
  listChunks(): Promise<string[]>;
  deleteChunk(id: string): Promise<void>;
  putSet(name: string, sealedManifest: Uint8Array): Promise<void>;
  getSet(name: string): Promise<Uint8Array>;
  /** Set names, oldest first (they sort by time). */
  listSets(): Promise<string[]>;
  deleteSet(name: string): Promise<void>;
  /** Remove what an interrupted backup left half-written (a destination that writes atomically may have nothing to do). */
  sweepTemp(): Promise<number>;
}

/** Chunk names are lowercase hex HMACs; set names are UTC times. Anything else is refused. */
export const CHUNK_ID = /^[0-9a-f]{64}$/;
export const SET_NAME = /^\d{8}T\d{6}(?:\d{3})?Z$/;

export function checkChunkId(id: string): string {
  if (!CHUNK_ID.test(id)) throw new RangeError(`not a chunk name: ${id.slice(0, 80)}`);
  return id;
}

export function checkSetName(name: string): string {
  if (!SET_NAME.test(name)) throw new RangeError(`not a backup set name: ${name.slice(0, 80)}`);
  return name;
}

/** A set's name for a moment: 20261204T050000123Z. */
export function setNameAt(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, "");
}
