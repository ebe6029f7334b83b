// Drawing only the rows of a long list that are in sight: which rows those are, and where to scroll
// so that a row chosen by keyboard comes into sight; and the controller that applies it to the explorer's list.
import type { ReactiveController, ReactiveControllerHost } from "lit";

/** Folders with more entries than this draw only the rows in sight. */
export const WINDOWED_FROM = 150;
const OVERSCAN = 12;
/** The drawn range moves in steps of this many rows: most scroll frames change nothing in the page. */
const STEP = 8;

/**
 * The rows to draw [first, last) for a list of `total` rows of `rowHeight` px scrolled to `scrollTop`:
 * those in sight, at least OVERSCAN more on each side, both ends rounded out to a multiple of STEP.
 */
export function visibleRows(total: number, scrollTop: number, viewHeight: number, rowHeight: number): { first: number; last: number } {
  const first = Math.max(0, Math.floor((Math.floor(scrollTop / rowHeight) - OVERSCAN) / STEP) * STEP);
  const last = Math.min(total, Math.ceil((Math.ceil((scrollTop + viewHeight) / rowHeight) + OVERSCAN) / STEP) * STEP);
  return { first, last };
}

/** The scroll position that shows row `index` (under a header of `header` px), or null if it is in sight. */
export function scrollToShow(index: number, rowHeight: number, scrollTop: number, viewHeight: number, header = 34): number | null {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight + header > scrollTop + viewHeight) return top + rowHeight + header - viewHeight;
  return null;
}

/**
 * The window over one long list, for a Lit host: it follows the list's scroll (once per frame),
 * measures the drawn row height, and says which rows to draw. Short lists (≤ WINDOWED_FROM) draw all.
 */
export class ListWindow implements ReactiveController {
  private scrollTop = 0;
  private viewHeight = 800;
  /** A row's height as drawn (measured: it changes with the window's width and the font). */
  rowHeight = 37;
  /** Measuring forces a layout: done once per list shown and after a resize, never per frame. */
  private measured = false;
  private frame = 0;
  private observed: HTMLElement | null = null;
  private readonly resizes = new ResizeObserver(() => {
    this.measured = false;
    this.host.requestUpdate();
  });

  constructor(
    private readonly host: ReactiveControllerHost,
    /** The scrolling element and how many rows the list has now. */
    private readonly list: () => { element: HTMLElement | null; total: number },
  ) {
    host.addController(this);
  }

  get windowed(): boolean {
    return this.list().total > WINDOWED_FROM;
  }

  /** The rows to draw now [first, last). */
  range(): { first: number; last: number } {
    const { total } = this.list();
    return this.windowed ? visibleRows(total, this.scrollTop, this.viewHeight, this.rowHeight) : { first: 0, last: total };
  }

  /** Follows the scroll once per frame; the host draws again only when the rows to draw change. */
  onScroll = (): void => {
    if (!this.windowed || this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const el = this.list().element;
      if (!el) return;
      const before = this.range();
      this.scrollTop = el.scrollTop;
      const after = this.range();
      if (after.first !== before.first || after.last !== before.last) this.host.requestUpdate();
    });
  };

  /** Back to the top (another folder is shown). */
  reset(): void {
    this.scrollTop = 0;
    this.measured = false;
    const el = this.list().element;
    if (el) el.scrollTop = 0;
  }

  /** Row `index` scrolled into sight (it may not be drawn yet): measured now, a key press is rare. */
  reveal(index: number): void {
    const el = this.list().element;
    if (!el || index < 0 || !this.windowed) return;
    const row = el.querySelector<HTMLElement>("tbody tr:not(.spacer)")?.getBoundingClientRect().height;
    const to = scrollToShow(index, row || this.rowHeight, el.scrollTop, el.clientHeight);
    if (to !== null) el.scrollTop = to;
  }

  hostUpdated(): void {
    const el = this.list().element;
    if (el !== this.observed) {
      if (this.observed) this.resizes.unobserve(this.observed);
      if (el) this.resizes.observe(el);
      this.observed = el;
    }
    if (!this.windowed || !el || this.measured) return;
    const row = el.querySelector<HTMLElement>("tbody tr:not(.spacer)");
    const height = row?.getBoundingClientRect().height ?? 0;
    if (!height || !el.clientHeight) return;
    this.measured = true;
    const changed = Math.abs(height - this.rowHeight) > 0.5 || el.clientHeight !== this.viewHeight;
    this.rowHeight = height;
    this.viewHeight = el.clientHeight;
    if (changed) this.host.requestUpdate();
  }

  hostDisconnected(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.resizes.disconnect();
    this.observed = null;
  }
}
