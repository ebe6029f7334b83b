// A backup set as one tar archive: written as a stream (a download from the desktop: every chunk of
// one full set, then its manifest, then the end of the archive) and read back from the saved file.
// Inside, the same layout as a folder — pc2-backup/<Node ID>/chunks/<ab>/<name>.age and sets/<time>.age —
// so `tar xf` and then `pc2 backup restore <folder>` works as well as restoring from the file itself.
import { type BackupDestination, checkChunkId, checkSetName, CHUNK_ID, SET_NAME } from "./destination.ts";
import { END, padding, TarFile, tarHeader } from "./tar-archive.ts";

const chunkPath = (nodeId: string, id: string) => `pc2-backup/${nodeId}/chunks/${id.slice(0, 2)}/${id}.age`;
const setPath = (nodeId: string, name: string) => `pc2-backup/${nodeId}/sets/${name}.age`;

/** A download is one pass: it holds what it wrote and nothing else. */
class WrittenOnce extends Error {
  constructor(what: string) {
    super(`a backup download is written once, front to back: it cannot ${what}`);
  }
}

/**
 * The writing side: `readable` is the archive, produced as the backup writes it (each member waits
 * until the reader has taken the previous one, so memory stays at one chunk whatever the size).
 * `finish()` after the set; `fail()` to cut it off (a reader then sees an error, never an archive
 * that looks whole: the manifest and the end blocks come last).
 */
export class ArchiveStreamDestination implements BackupDestination {
  readonly label = "a download";
  readonly readable: ReadableStream<Uint8Array>;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly written = new Set<string>();
  private readonly sets: string[] = [];
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly nodeId: string,
    private readonly mtime = new Date(),
    private readonly stallMs = 10 * 60_000,
  ) {
    const pipe = new TransformStream<Uint8Array, Uint8Array>(undefined, { highWaterMark: 1 }, { highWaterMark: 1 });
    this.readable = pipe.readable;
    this.writer = pipe.writable.getWriter();
  }

  /** The reader has room for more, or the reader stalled (a download left open forever must not hold a snapshot forever). */
  private async ready(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the download stalled: nothing was read for ${Math.round(this.stallMs / 1000)} s`)), this.stallMs);
    });
    try {
      await Promise.race([this.writer.ready, stalled]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One member after another, whole: concurrent puts (the writer keeps a few in flight) wait their turn. */
  private member(path: string, bytes: Uint8Array): Promise<void> {
    const write = async () => {
      await this.ready();
      await this.writer.write(tarHeader(path, bytes.length, this.mtime));
      await this.writer.write(bytes);
      const pad = padding(bytes.length);
      if (pad.length) await this.writer.write(pad);
    };
    const turn = this.tail.then(write);
    this.tail = turn.catch(() => {});
    return turn;
  }

  async hasChunk(id: string): Promise<boolean> {
    return this.written.has(checkChunkId(id));
  }

  async putChunk(id: string, sealed: Uint8Array): Promise<void> {
    await this.member(chunkPath(this.nodeId, checkChunkId(id)), sealed);
    this.written.add(id);
  }

  async listChunks(): Promise<string[]> {
    return [...this.written];
  }

  async putSet(name: string, sealedManifest: Uint8Array): Promise<void> {
    await this.member(setPath(this.nodeId, checkSetName(name)), sealedManifest);
    this.sets.push(name);
  }

  async listSets(): Promise<string[]> {
    return [...this.sets];
  }

  /** The end of the archive: the download is whole. */
  async finish(): Promise<void> {
    await this.tail;
    await this.ready();
    await this.writer.write(END);
    await this.writer.close();
  }

  /** Cut the download off with `reason` (the reader's stream errors). */
  fail(reason: unknown): void {
    void this.writer.abort(reason).catch(() => {});
  }

  async getChunk(): Promise<Uint8Array> {
    throw new WrittenOnce("read a chunk back");
  }
  async deleteChunk(): Promise<void> {
    throw new WrittenOnce("delete");
  }
  async getSet(): Promise<Uint8Array> {
    throw new WrittenOnce("read a set back");
  }
  async deleteSet(): Promise<void> {
    throw new WrittenOnce("delete");
  }
  async sweepTemp(): Promise<number> {
    return 0;
  }
}

/** The reading side: a saved download (or any tar of a backup folder), for verify and restore. */
export class ArchiveFileDestination implements BackupDestination {
  readonly label: string;
  private readonly tar: TarFile;

  constructor(
    file: string,
    private readonly nodeId: string,
  ) {
    this.tar = new TarFile(file);
    this.label = file;
  }

  async hasChunk(id: string): Promise<boolean> {
    return this.tar.has(chunkPath(this.nodeId, checkChunkId(id)));
  }

  async getChunk(id: string): Promise<Uint8Array> {
    return this.tar.read(chunkPath(this.nodeId, checkChunkId(id)));
  }

  async listChunks(): Promise<string[]> {
    const prefix = `pc2-backup/${this.nodeId}/chunks/`;
    return this.tar
      .names()
      .filter((n) => n.startsWith(prefix) && n.endsWith(".age"))
      .map((n) => n.slice(n.lastIndexOf("/") + 1, -4))
      .filter((id) => CHUNK_ID.test(id));
  }

  async getSet(name: string): Promise<Uint8Array> {
    return this.tar.read(setPath(this.nodeId, checkSetName(name)));
  }

  async listSets(): Promise<string[]> {
    const prefix = `pc2-backup/${this.nodeId}/sets/`;
    return this.tar
      .names()
      .filter((n) => n.startsWith(prefix) && n.endsWith(".age"))
      .map((n) => n.slice(prefix.length, -4))
      .filter((name) => SET_NAME.test(name))
      .sort();
  }

  async putChunk(): Promise<void> {
    throw new RangeError("a backup archive is read-only: extract it to a folder to add to it");
  }
  async deleteChunk(): Promise<void> {
    throw new RangeError("a backup archive is read-only");
  }
  async putSet(): Promise<void> {
    throw new RangeError("a backup archive is read-only");
  }
  async deleteSet(): Promise<void> {
    throw new RangeError("a backup archive is read-only");
  }
  async sweepTemp(): Promise<number> {
    return 0;
  }
}
