// Which backup sets a policy keeps (server/backup/retention.ts), at the edges the calendar has: two
// sets on one day, a week that starts on Monday, ISO weeks that straddle a new year (2026 has 53),
// months, a count reached exactly, a policy of zeros; and set names read back to their times.
import { expect, test } from "bun:test";
import { DEFAULT_RETENTION, type RetentionPolicy, setsToKeep, setTime } from "../../../server/backup/retention.ts";

const keep = (names: string[], policy: Partial<RetentionPolicy>) => [...setsToKeep(names, { daily: 0, weekly: 0, monthly: 0, ...policy })].sort();

test("set names read back to their UTC times, with or without milliseconds; anything else is refused", () => {
  expect(setTime("20261204T050000123Z").toISOString()).toBe("2026-12-04T05:00:00.123Z");
  expect(setTime("20261204T050000Z").toISOString()).toBe("2026-12-04T05:00:00.000Z");
  expect(setTime("20261231T235958007Z").toISOString()).toBe("2026-12-31T23:59:58.007Z");
  for (const bad of ["2026-12-04T05:00:00Z", "20261204T0500Z", "20261204T050000", "x20261204T050000Z", "20261204T050000Zx", "20261204T0500001234Z"])
    expect(() => setTime(bad)).toThrow(`not a backup set name: ${bad}`);
});

test("the newest set is kept whatever the policy; nothing else under a policy of zeros; input order does not matter", () => {
  expect(keep(["20261201T000000Z", "20261203T000000Z", "20261202T000000Z"], {})).toEqual(["20261203T000000Z"]);
  expect(keep([], { daily: 7 })).toEqual([]);
});

test("by default: 7 days, 4 weeks, 6 months (docs/backups.md)", () => {
  expect(DEFAULT_RETENTION).toEqual({ daily: 7, weekly: 4, monthly: 6 });
});

test("daily: the newest set of each of the last N days that have sets; N reached exactly stops it", () => {
  const names = ["20261201T080000Z", "20261201T200000Z", "20261202T090000Z", "20261203T100000Z", "20261203T230000Z"];
  expect(keep(names, { daily: 1 })).toEqual(["20261203T230000Z"]);
  expect(keep(names, { daily: 2 })).toEqual(["20261202T090000Z", "20261203T230000Z"]);
  expect(keep(names, { daily: 3 })).toEqual(["20261201T200000Z", "20261202T090000Z", "20261203T230000Z"]);
  expect(keep(names, { daily: 30 })).toEqual(["20261201T200000Z", "20261202T090000Z", "20261203T230000Z"]);
});

test("weekly: ISO weeks start on Monday — a Sunday and the Monday after are two weeks", () => {
  // 2026-12-06 is a Sunday, 2026-12-07 a Monday, 2026-12-13 the Sunday after.
  expect(keep(["20261206T120000Z", "20261207T120000Z"], { weekly: 2 })).toEqual(["20261206T120000Z", "20261207T120000Z"]);
  expect(keep(["20261207T000000Z", "20261213T235959Z"], { weekly: 2 })).toEqual(["20261213T235959Z"]);
  expect(keep(["20261206T120000Z", "20261207T120000Z", "20261213T120000Z"], { weekly: 1 })).toEqual(["20261213T120000Z"]);
});

test("weekly across a new year: 2026's week 53 runs to Sunday 3 January 2027; 2026's week 1 began on 29 December 2025", () => {
  expect(keep(["20261228T000000Z", "20270103T235959999Z"], { weekly: 5 })).toEqual(["20270103T235959999Z"]);
  expect(keep(["20261228T000000Z", "20270104T000000Z"], { weekly: 5 })).toEqual(["20261228T000000Z", "20270104T000000Z"]);
  expect(keep(["20251229T000000Z", "20260104T120000Z"], { weekly: 5 })).toEqual(["20260104T120000Z"]);
  expect(keep(["20251228T120000Z", "20251229T000000Z"], { weekly: 5 })).toEqual(["20251228T120000Z", "20251229T000000Z"]);
  // Weeks 1 and 53 of different years are different buckets, not the same number.
  expect(keep(["20210103T000000Z", "20260104T000000Z", "20261231T000000Z"], { weekly: 5 })).toEqual(["20210103T000000Z", "20260104T000000Z", "20261231T000000Z"]);
});

test("monthly: the newest set of each of the last N months with sets", () => {
  const names = ["20261001T000000Z", "20261015T000000Z", "20261130T235959Z", "20261201T000000Z"];
  expect(keep(names, { monthly: 1 })).toEqual(["20261201T000000Z"]);
  expect(keep(names, { monthly: 2 })).toEqual(["20261130T235959Z", "20261201T000000Z"]);
  expect(keep(names, { monthly: 3 })).toEqual(["20261015T000000Z", "20261130T235959Z", "20261201T000000Z"]);
});

test("the rules add up: a set kept by any of them is kept", () => {
  const names = ["20260915T000000Z", "20261015T000000Z", "20261130T000000Z", "20261201T000000Z", "20261202T000000Z"];
  expect(keep(names, { daily: 2, weekly: 0, monthly: 3 })).toEqual(["20261015T000000Z", "20261130T000000Z", "20261201T000000Z", "20261202T000000Z"]);
});
