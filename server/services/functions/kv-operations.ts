// The JSON a function's process sends for Deno.openKv (workers/deno-kv.ts) to its store
// (function-kv.ts): bytes travel as base64, u64 values as decimal strings. Everything is checked:
// the process runs code the node does not trust.
import { fail } from "../../errors.ts";
import { type FunctionKv, KV_LIMITS, type KvCheck, type KvEntry, type KvMutation, type KvValue } from "./function-kv.ts";

const bytes = (v: unknown, what: string): Uint8Array => {
  if (typeof v !== "string" || v.length > KV_LIMITS.valueBytes * 2) throw fail("invalid_request", `${what} must be base64`);
  return new Uint8Array(Buffer.from(v, "base64"));
};
const u64 = (v: unknown): bigint => {
  if (typeof v !== "string" || !/^\d{1,20}$/.test(v)) throw fail("invalid_request", "A Deno.KvU64 travels as a decimal string");
  return BigInt(v);
};
const list = (v: unknown, what: string): unknown[] => {
  if (!Array.isArray(v)) throw fail("invalid_request", `${what} must be a list`);
  return v;
};

function value(v: unknown): KvValue {
  const o = v as { kind?: unknown; data?: unknown; value?: unknown };
  if (o?.kind === "u64") return { kind: "u64", value: u64(o.value) };
  if (o?.kind === "v8") return { kind: "v8", bytes: bytes(o.data, "A value") };
  throw fail("invalid_request", "A value is { kind: 'v8', data } or { kind: 'u64', value }");
}

const wire = (e: KvEntry | null) =>
  e && {
    key: Buffer.from(e.key).toString("base64"),
    value: e.value.kind === "u64" ? { kind: "u64", value: e.value.value.toString() } : { kind: "v8", data: Buffer.from(e.value.bytes).toString("base64") },
    versionstamp: e.versionstamp,
  };

export function runKvOperation(kv: FunctionKv, raw: unknown): unknown {
  const op = raw as Record<string, unknown>;
  switch (op?.op) {
    case "get":
      return { entries: kv.get(list(op.keys, "keys").map((k) => bytes(k, "A key"))).map(wire) };
    case "list": {
      const limit = typeof op.limit === "number" && Number.isInteger(op.limit) && op.limit > 0 ? op.limit : 100;
      return { entries: kv.list(bytes(op.start, "start"), bytes(op.end, "end"), limit, op.reverse === true).map(wire) };
    }
    case "atomic": {
      const checks: KvCheck[] = list(op.checks, "checks").map((c) => {
        const o = c as { key?: unknown; versionstamp?: unknown };
        if (o.versionstamp !== null && (typeof o.versionstamp !== "string" || !/^[0-9a-f]{20}$/.test(o.versionstamp))) throw fail("invalid_request", "A versionstamp is 20 hex digits, or null");
        return { key: bytes(o.key, "A key"), versionstamp: o.versionstamp as string | null };
      });
      const mutations: KvMutation[] = list(op.mutations, "mutations").map((m) => {
        const o = m as { type?: unknown; key?: unknown; value?: unknown; expireIn?: unknown };
        const key = bytes(o.key, "A key");
        if (o.type === "delete") return { type: "delete", key };
        if (o.type === "set") {
          const expireIn = o.expireIn === undefined || o.expireIn === null ? undefined : Number(o.expireIn);
          if (expireIn !== undefined && !(Number.isFinite(expireIn) && expireIn > 0)) throw fail("invalid_request", "expireIn is a number of milliseconds above 0");
          return { type: "set", key, value: value(o.value), expireIn };
        }
        if (o.type === "sum" || o.type === "min" || o.type === "max") return { type: o.type, key, value: u64(o.value) };
        throw fail("invalid_request", `Unknown mutation ${String(o.type)}`);
      });
      return { versionstamp: kv.atomic(checks, mutations) };
    }
    default:
      throw fail("invalid_request", "Unknown key-value operation");
  }
}
