// Puter's lenient request values: booleans as true/1/"yes"/"on"…, sort keys, pagination.
import { ValidationError } from "../../errors.ts";
import type { SortKey } from "./files.repository.ts";

export type Body = Record<string, unknown>;

export function body(value: unknown): Body {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Body) : {};
}

export function bool(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null || value === "") return fallback;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") {
    const v = value.toLowerCase();
    if (["1", "true", "yes", "on"].includes(v)) return true;
    if (["0", "false", "no", "off"].includes(v)) return false;
  }
  throw new ValidationError(`Expected a boolean, got ${JSON.stringify(value).slice(0, 40)}`);
}

export function sortOf(b: Body): { sort: SortKey; desc: boolean; foldersFirst: boolean } {
  const key = b.sortBy ?? b.sort_by ?? "name";
  const order = b.sortOrder ?? b.sort_order ?? "asc";
  if (!["name", "modified", "type", "size"].includes(String(key))) throw new ValidationError("sort_by must be name, modified, type or size");
  if (!["asc", "desc"].includes(String(order))) throw new ValidationError("sort_order must be asc or desc");
  return { sort: key as SortKey, desc: order === "desc", foldersFirst: bool(b.folders_first ?? b.foldersFirst, false) };
}

export function count(value: unknown, name: string, max: number, fallback: number): number {
  if (value === undefined || value === null || value === "") return fallback;
  const n = typeof value === "string" && /^\d{1,9}$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0 || n > max) throw new ValidationError(`${name} must be a whole number from 0 to ${max}`);
  return n;
}
