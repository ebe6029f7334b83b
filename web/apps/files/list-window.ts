// Drawing only the rows of a long list that are in sight: which rows those are, and where to scroll
// so that a row chosen by keyboard comes into sight. Plain arithmetic, shared by the explorer.

/** Folders with more entries than this draw only the rows in sight. */
export const WINDOWED_FROM = 150;
const OVERSCAN = 12;

/** The rows to draw [first, last) for a list of `total` rows of `rowHeight` px scrolled to `scrollTop`. */
export function visibleRows(total: number, scrollTop: number, viewHeight: number, rowHeight: number): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(total, Math.ceil((scrollTop + viewHeight) / rowHeight) + OVERSCAN);
  return { first, last };
}

/** The scroll position that shows row `index` (under a header of `header` px), or null if it is in sight. */
export function scrollToShow(index: number, rowHeight: number, scrollTop: number, viewHeight: number, header = 34): number | null {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight + header > scrollTop + viewHeight) return top + rowHeight + header - viewHeight;
  return null;
}
