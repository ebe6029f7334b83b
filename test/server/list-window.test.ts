// The explorer's long-list arithmetic: which rows are drawn for a scroll position (in sight, with
// room on each side, moving in steps so most frames change nothing), and where to scroll for a row.
import { expect, test } from "bun:test";
import { scrollToShow, visibleRows } from "../../web/apps/files/list-window.ts";

const H = 37;
const VIEW = 740; // 20 rows in sight

test("at the top: the rows in sight and at least 12 more, rounded out to a step of 8", () => {
  expect(visibleRows(10_000, 0, VIEW, H)).toEqual({ first: 0, last: 32 });
});

test("every row in sight is drawn, with at least 12 rows to spare on each side, at any position", () => {
  for (let top = 0; top < 10_000 * H - VIEW; top += 97) {
    const { first, last } = visibleRows(10_000, top, VIEW, H);
    const firstSeen = Math.floor(top / H);
    const lastSeen = Math.ceil((top + VIEW) / H);
    expect(first).toBeLessThanOrEqual(Math.max(0, firstSeen - 12));
    expect(last).toBeGreaterThanOrEqual(Math.min(10_000, lastSeen + 12));
    expect(last - first).toBeLessThanOrEqual(20 + 2 * 12 + 2 * 8 + 2);
    expect(first % 8).toBe(0);
  }
});

test("scrolling a few pixels usually changes nothing: the range moves in steps", () => {
  let changes = 0;
  let before = visibleRows(10_000, 50_000, VIEW, H);
  for (let top = 50_000; top < 50_000 + 8 * H * 10; top += 4) {
    const now = visibleRows(10_000, top, VIEW, H);
    if (now.first !== before.first) changes++;
    before = now;
  }
  expect(changes).toBe(10);
});

test("the end of the list is never passed", () => {
  expect(visibleRows(100, 100 * H - VIEW, VIEW, H).last).toBe(100);
  expect(visibleRows(3, 0, VIEW, H)).toEqual({ first: 0, last: 3 });
});

test("scrollToShow: nothing when the row is in sight; its top when above; its bottom under the header when below", () => {
  expect(scrollToShow(5, H, 0, VIEW)).toBeNull();
  expect(scrollToShow(5, H, 1000, VIEW)).toBe(5 * H);
  expect(scrollToShow(40, H, 0, VIEW)).toBe(40 * H + H + 34 - VIEW);
});
