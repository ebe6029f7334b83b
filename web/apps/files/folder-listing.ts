// What the explorer shows of a folder: its entries, loading or the error, kept current by loads
// that may overlap (the user's own action, a live update, a change of order). The newest load owns
// the list; an older one that is overtaken waits for it, so "act, then load" always ends with a
// list that holds what the action did.
import type { Entry } from "./entry.ts";
import { type FolderSort, folderPages } from "./folder-pages.ts";

export type ListingStatus = "loading" | "ready" | "error";
type Pages = (path: string, sort: FolderSort) => AsyncIterable<Entry[]>;

export class FolderListing {
  entries: Entry[] = [];
  status: ListingStatus = "loading";
  error = "";
  /** Counts loads begun: a slower earlier one never overwrites a later one. */
  private generation = 0;
  /** The newest load's run: what an overtaken load waits for. */
  private newest: Promise<void> = Promise.resolve();

  constructor(
    /** Called after every change the host should draw. */
    private readonly changed: () => void,
    private readonly pages: Pages = folderPages,
  ) {}

  /**
   * List `path` in `sort` order. Showing a folder (`showSpinner`) draws rows page by page as they
   * arrive; a refresh swaps the list once, complete, so rows under the reader never shrink away and
   * come back. Resolves once the list shown was read after this call began — its own, or a later
   * load's that overtook it — and never rejects (a failure shows as the error).
   */
  async load(path: string, sort: FolderSort, showSpinner: boolean): Promise<void> {
    let run = this.run(++this.generation, path, sort, showSpinner);
    this.newest = run;
    for (;;) {
      await run;
      if (run === this.newest) return;
      run = this.newest;
    }
  }

  /** An action failed: its message takes the list's place (with Retry). */
  fail(message: string): void {
    this.status = "error";
    this.error = message;
    this.changed();
  }

  private async run(generation: number, path: string, sort: FolderSort, showSpinner: boolean): Promise<void> {
    if (showSpinner) {
      this.status = "loading";
      this.changed();
    }
    try {
      let listed: Entry[] = [];
      for await (const page of this.pages(path, sort)) {
        // Another folder or order was asked for meanwhile: that load owns the list now.
        if (generation !== this.generation) return;
        listed = listed.concat(page);
        if (showSpinner) this.show(listed);
      }
      if (generation === this.generation) this.show(listed);
    } catch (err) {
      if (generation === this.generation) this.fail(err instanceof Error ? err.message : String(err));
    }
  }

  private show(entries: Entry[]): void {
    this.entries = entries;
    this.status = "ready";
    this.changed();
  }
}
