import { expect, test } from "bun:test";
import { formatBytes } from "../../server/format-bytes.ts";

test("sizes switch unit exactly at each power of 1024", () => {
  expect([0, 1023, 1024, 1024 ** 2 - 1, 1024 ** 2, 1024 ** 3 - 1, 1024 ** 3, 5.5 * 1024 ** 3].map(formatBytes)).toEqual([
    "0 B",
    "1023 B",
    "1.0 KiB",
    "1024.0 KiB",
    "1.0 MiB",
    "1024.0 MiB",
    "1.00 GiB",
    "5.50 GiB",
  ]);
});
