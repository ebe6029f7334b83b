// What input schemas (schema.ts) do not cover: lenient protocol layers (Puter's messages) and numbers in query strings.
import { ValidationError } from "../errors.ts";

export type Input = Record<string, unknown>;

export function asObject(value: unknown, what = "the request body"): Input {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new ValidationError(`${what} must be a JSON object`);
  return value as Input;
}

function int(input: Input, key: string, opts: { min: number; max: number; fallback?: number }): number {
  const v = input[key] ?? opts.fallback;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < opts.min || v > opts.max) {
    throw new ValidationError(`${key} must be a whole number from ${opts.min} to ${opts.max}`, { field: key });
  }
  return v;
}

/** Integers from a query string ("?limit=20"). */
export function queryInt(value: string | undefined, key: string, opts: { min: number; max: number; fallback: number }): number {
  if (value === undefined || value === "") return opts.fallback;
  if (!/^\d{1,15}$/.test(value)) throw new ValidationError(`${key} must be a whole number`, { field: key });
  return int({ [key]: Number(value) }, key, opts);
}
