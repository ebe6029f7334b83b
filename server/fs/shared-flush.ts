// Group commit: flushes of one path shared by everyone who needs them. A rename is durable once its
// folder has been fsynced after it, and a SQLite commit once the WAL file has; one fsync covers
// every change made to that path before it began. So writers who ask while a flush of the path is
// under way share the next one instead of each queueing its own: with many writers at once, a
// handful of flushes stand for hundreds of writes. At most one flush per path runs, and at most one
// waits behind it.

interface PathState {
  /** The flush under way. */
  running: Promise<void> | null;
  /** The flush that starts when the one under way ends; every caller since it began shares it. */
  next: Promise<void> | null;
}

export class SharedFlush {
  private readonly paths = new Map<string, PathState>();

  constructor(private readonly flush: (path: string) => Promise<void>) {}

  /**
   * Settles once a flush of `path` that began after this call has ended — so every change made to
   * it before the call is on the disk (or the flush's failure, shared by every caller it covered).
   */
  flushed(path: string): Promise<void> {
    let state = this.paths.get(path);
    if (!state) {
      state = { running: null, next: null };
      this.paths.set(path, state);
    }
    if (state.next) return state.next;
    if (!state.running) return this.start(path, state);
    // The flush under way may have begun before the caller's change: it waits for the next one.
    const waiting = state;
    const settle = () => undefined;
    waiting.next = state.running.then(settle, settle).then(() => {
      waiting.next = null;
      return this.start(path, waiting);
    });
    return waiting.next;
  }

  /** Paths with a flush under way or waiting (for tests: none once all settle). */
  busy(): number {
    return this.paths.size;
  }

  private start(path: string, state: PathState): Promise<void> {
    const running: Promise<void> = this.flush(path).finally(() => {
      if (state.running !== running) return;
      state.running = null;
      if (!state.next) this.paths.delete(path);
    });
    state.running = running;
    return running;
  }
}
