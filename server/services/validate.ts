// Small input checks that services use at their boundary (HTTP and WebSocket callers alike).
import { ValidationError } from "../errors.ts";

export type Input = Record<string, unknown>;

export function asObject(value: unknown, what = "the request body"): Input {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new ValidationError(`${what} must be a JSON object`);
  return value as Input;
}

export function str(input: Input, key: string, opts: { max: number; min?: number; pattern?: RegExp; describe?: string }): string {
  const v = input[key];
  if (typeof v !== "string") throw new ValidationError(`${key} is required and must be a string`, { field: key });
  if (v.length < (opts.min ?? 1) || v.length > opts.max) throw new ValidationError(`${key} must be ${opts.min ?? 1} to ${opts.max} characters`, { field: key });
  if (opts.pattern && !opts.pattern.test(v)) throw new ValidationError(`${key} must be ${opts.describe ?? "well formed"}`, { field: key });
  return v;
}

export function optStr(input: Input, key: string, opts: { max: number; min?: number; pattern?: RegExp; describe?: string }): string | undefined {
  return input[key] === undefined || input[key] === null ? undefined : str(input, key, opts);
}

export function int(input: Input, key: string, opts: { min: number; max: number; fallback?: number }): number {
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
