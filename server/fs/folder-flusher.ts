// Group commit for folder flushes. A rename is durable once its folder has been fsynced after it;
// one fsync covers every rename made in that folder before it started. So writes that land in the
// same folder while its flush is under way share the next one instead of each queueing its own:
// with many writers at once, a handful of flushes stand for hundreds of renames. At most one flush
// per folder runs, and at most one waits behind it.

interface FolderState {
  /** The flush under way. */
  running: Promise<void> | null;
  /** The flush that starts when the one under way ends; every caller since it began shares it. */
  next: Promise<void> | null;
}

export class FolderFlusher {
  private readonly folders = new Map<string, FolderState>();

  constructor(private readonly flush: (dir: string) => Promise<void>) {}

  /**
   * Settles once a flush of `dir` that began after this call has ended — so everything renamed into
   * `dir` before the call is on the disk (or the flush's failure, shared by every caller it covered).
   */
  flushed(dir: string): Promise<void> {
    let state = this.folders.get(dir);
    if (!state) {
      state = { running: null, next: null };
      this.folders.set(dir, state);
    }
    if (state.next) return state.next;
    if (!state.running) return this.start(dir, state);
    // The flush under way may have begun before the caller's rename: it waits for the next one.
    const folder = state;
    const settle = () => undefined;
    folder.next = state.running.then(settle, settle).then(() => {
      folder.next = null;
      return this.start(dir, folder);
    });
    return folder.next;
  }

  /** Folders with a flush under way or waiting (for tests: none once all settle). */
  busy(): number {
    return this.folders.size;
  }

  private start(dir: string, state: FolderState): Promise<void> {
    const running: Promise<void> = this.flush(dir).finally(() => {
      if (state.running !== running) return;
      state.running = null;
      if (!state.next) this.folders.delete(dir);
    });
    state.running = running;
    return running;
  }
}
