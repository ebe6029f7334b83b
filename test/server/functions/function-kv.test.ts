// A function's key-value store on its own: expiry, the limits Deno KV has (key and value sizes,
// checks per operation), u64 arithmetic (sum wraps at 2^64, as Deno's does), and the store's size cap.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { encodeKey } from "../../../workers/kv-keys.ts";
import { AppError } from "../../../server/errors.ts";
import { FunctionKv, KV_LIMITS } from "../../../server/services/functions/function-kv.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";

const dir = makeTempDir("pc2-kv-");
const kv = new FunctionKv(join(dir.path, "kv.sqlite"));
afterAll(() => {
  kv.close();
  dir.remove();
});
const k = (...parts: (string | number)[]) => encodeKey(parts);
const v8 = (n: number) => ({ kind: "v8" as const, bytes: new Uint8Array(n) });
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return "ok";
  } catch (e) {
    return e instanceof AppError ? e.code : String(e);
  }
};

test("an entry set with expireIn is gone once it expires, and the sweep removes its row", async () => {
  kv.atomic([], [{ type: "set", key: k("short"), value: v8(1), expireIn: 30 }]);
  expect(kv.get([k("short")])[0]).not.toBeNull();
  await Bun.sleep(60);
  expect(kv.get([k("short")])[0]).toBeNull();
  expect(kv.list(new Uint8Array([0]), new Uint8Array([0xff]), 100, false).map((e) => e.key)).not.toContainEqual(k("short"));
  expect(kv.sweep()).toBe(1);
});

test("Deno KV's limits: a key of 2 KiB, a value of 64 KiB, 100 checks — one byte over is refused, nothing written", () => {
  const longKey = new Uint8Array(KV_LIMITS.keyBytes).fill(0x41);
  expect(codeOf(() => kv.atomic([], [{ type: "set", key: longKey, value: v8(1) }]))).toBe("ok");
  expect(codeOf(() => kv.atomic([], [{ type: "set", key: new Uint8Array(KV_LIMITS.keyBytes + 1).fill(0x41), value: v8(1) }]))).toBe("invalid_request");
  expect(codeOf(() => kv.atomic([], [{ type: "set", key: k("big"), value: v8(KV_LIMITS.valueBytes) }]))).toBe("ok");
  expect(codeOf(() => kv.atomic([], [{ type: "set", key: k("bigger"), value: v8(KV_LIMITS.valueBytes + 1) }]))).toBe("invalid_request");
  expect(kv.get([k("bigger")])[0]).toBeNull();
  const checks = Array.from({ length: KV_LIMITS.checks + 1 }, (_, i) => ({ key: k("c", i), versionstamp: null }));
  expect(codeOf(() => kv.atomic(checks.slice(0, KV_LIMITS.checks), []))).toBe("ok");
  expect(codeOf(() => kv.atomic(checks, []))).toBe("invalid_request");
});

test("u64: sum wraps at 2^64; sum on another kind of value is refused and changes nothing", () => {
  const max = (1n << 64n) - 1n;
  kv.atomic([], [{ type: "set", key: k("n"), value: { kind: "u64", value: max } }]);
  kv.atomic([], [{ type: "sum", key: k("n"), value: 2n }]);
  expect(kv.get([k("n")])[0]!.value).toEqual({ kind: "u64", value: 1n });
  kv.atomic([], [{ type: "set", key: k("text"), value: v8(3) }]);
  const before = kv.get([k("text")])[0]!.versionstamp;
  expect(
    codeOf(() =>
      kv.atomic(
        [],
        [
          { type: "set", key: k("other"), value: v8(1) },
          { type: "sum", key: k("text"), value: 1n },
        ],
      ),
    ),
  ).toBe("invalid_request");
  expect(kv.get([k("text")])[0]!.versionstamp).toBe(before);
  expect(kv.get([k("other")])[0]).toBeNull();
});

test("versionstamps rise with every commit; a failed check commits nothing", () => {
  const a = kv.atomic([], [{ type: "set", key: k("s"), value: v8(1) }])!;
  const b = kv.atomic([{ key: k("s"), versionstamp: a }], [{ type: "set", key: k("s"), value: v8(2) }])!;
  expect(b > a).toBe(true);
  expect(kv.atomic([{ key: k("s"), versionstamp: a }], [{ type: "delete", key: k("s") }])).toBeNull();
  expect(kv.get([k("s")])[0]!.versionstamp).toBe(b);
});
