// Per-function limits (function-limits.ts): a deployer may set each lower than the node's, within a
// floor; out of range is refused with the range; null goes back to the node's; a process runs under
// the lower of its own and the node's.
import { expect, test } from "bun:test";
import { changeLimits, describeLimits, effectiveLimits } from "../../../server/services/functions/function-limits.ts";
import { FUNCTION_LIMITS } from "../../../server/services/functions/functions.service.ts";
import { refusalOf } from "../../helpers/refusal.ts";

const MIB = 1024 * 1024;

test("each limit is taken from its floor to the node's own, and refused one past either, in words and with the range", () => {
  const ranges = { wallMs: [100, 30_000], memoryMb: [64, 128], concurrency: [1, 16], bodyBytes: [0, 16 * MIB] } as const;
  for (const [key, [min, max]] of Object.entries(ranges)) {
    expect(changeLimits({}, { [key]: min }, FUNCTION_LIMITS)).toEqual({ [key]: min });
    expect(changeLimits({}, { [key]: max }, FUNCTION_LIMITS)).toEqual({ [key]: max });
    for (const bad of [min - 1, max + 1, min + 0.5])
      expect(refusalOf(() => changeLimits({}, { [key]: bad }, FUNCTION_LIMITS))).toEqual({
        status: 400,
        code: "invalid_limit",
        message: `${key} must be a whole number from ${min} to ${max} (the node's limit)`,
        extra: { limit: key, min, max },
      });
  }
});

test("a change keeps what it does not name, null removes one, and a refused change changes nothing", () => {
  const set = changeLimits({}, { wallMs: 5000, concurrency: 2 }, FUNCTION_LIMITS);
  expect(changeLimits(set, { bodyBytes: 1024 }, FUNCTION_LIMITS)).toEqual({ wallMs: 5000, concurrency: 2, bodyBytes: 1024 });
  expect(changeLimits(set, { wallMs: null }, FUNCTION_LIMITS)).toEqual({ concurrency: 2 });
  expect(() => changeLimits(set, { wallMs: 1000, concurrency: 99 }, FUNCTION_LIMITS)).toThrow();
  expect(set).toEqual({ wallMs: 5000, concurrency: 2 });
});

test("a process runs under its own limits where set, the node's elsewhere, and never above the node's", () => {
  expect(effectiveLimits(FUNCTION_LIMITS, {})).toEqual(FUNCTION_LIMITS);
  expect(effectiveLimits(FUNCTION_LIMITS, { wallMs: 500, memoryMb: 64, concurrency: 1, bodyBytes: 10 })).toEqual({
    ...FUNCTION_LIMITS,
    wallMs: 500,
    memoryBytes: 64 * MIB,
    concurrency: 1,
    bodyBytes: 10,
  });
  // Set when the node allowed more (its limits lowered since): the node's own wins.
  const tighter = { ...FUNCTION_LIMITS, wallMs: 1000, memoryBytes: 96 * MIB, concurrency: 4, bodyBytes: 100 };
  expect(effectiveLimits(tighter, { wallMs: 5000, memoryMb: 128, concurrency: 8, bodyBytes: 1000 })).toEqual(tighter);
  expect(describeLimits(FUNCTION_LIMITS, { wallMs: 500 })).toEqual({
    wallMs: { value: 500, custom: true },
    memoryMb: { value: 128, custom: false },
    concurrency: { value: 16, custom: false },
    bodyBytes: { value: 16 * MIB, custom: false },
  });
});
