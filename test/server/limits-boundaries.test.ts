// Every limit at its edge: the value at the limit passes, one more fails (an off-by-one in any of
// these checks fails a test).
import { expect, test } from "bun:test";
import { checkJsonDepth } from "../../server/http/json-body.ts";
import { checkName } from "../../server/services/files/virtual-path.ts";
import { prepareModule } from "../../server/services/wasm/module-check.ts";
import { RateLimiter } from "../../server/services/auth/rate-limiter.ts";
import { builtModule } from "../helpers/wasm-client.ts";

test("JSON nesting: 64 levels pass, 65 are refused", () => {
  expect(() => checkJsonDepth("[".repeat(64) + "]".repeat(64), 64)).not.toThrow();
  expect(() => checkJsonDepth("[".repeat(65) + "]".repeat(65), 64)).toThrow(/deeper than 64/);
});

test("names: 255 UTF-8 bytes pass, 256 are refused (multi-byte characters counted as bytes)", () => {
  expect(checkName("n".repeat(255))).toBe("n".repeat(255));
  expect(checkName("é".repeat(127) + "x")).toHaveLength(128); // 255 bytes
  expect(() => checkName("n".repeat(256))).toThrow(/at most 255 bytes/);
  expect(() => checkName("é".repeat(128))).toThrow(/at most 255 bytes/); // 256 bytes
});

test("module size: a module of exactly the limit passes, one byte more is refused", () => {
  const calc = builtModule("wasm-apps", "calc");
  expect(() => prepareModule(calc, 16, calc.length)).not.toThrow();
  expect(() => prepareModule(calc, 16, calc.length - 1)).toThrow(/larger than/);
});

test("rate limits: N hits pass, the N+1th waits, and the window slides", () => {
  let now = 0;
  const limiter = new RateLimiter(3, 1000, () => now);
  for (let i = 0; i < 3; i++) {
    expect(limiter.retryAfter("k")).toBe(0);
    limiter.hit("k");
  }
  expect(limiter.retryAfter("k")).toBe(1);
  now = 999;
  expect(limiter.retryAfter("k")).toBe(1);
  now = 1000; // the first hit is a full window old
  expect(limiter.retryAfter("k")).toBe(0);
});
