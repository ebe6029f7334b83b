// Limits a deployer sets for one function, lower than the node's: wall time per request, memory,
// requests at once, request body size. Each is a whole number between a floor that leaves the
// function room to run at all and the node's own limit (which applies to anything not set).
import { fail } from "../../errors.ts";
import type { FunctionLimits } from "./function-process.ts";

const MIB = 1024 * 1024;

/** What a deployer may set, as the API names it. */
export interface CustomLimits {
  wallMs?: number;
  memoryMb?: number;
  concurrency?: number;
  bodyBytes?: number;
}

/** A change: a number sets a limit, null goes back to the node's. */
export type LimitsChange = { [K in keyof CustomLimits]?: number | null };

/** The floor of each (a function host alone takes some 40 MiB; a request needs some time). */
const FLOORS: Required<CustomLimits> = { wallMs: 100, memoryMb: 64, concurrency: 1, bodyBytes: 0 };

/** The node's limit for each, in the API's units. */
function ceilings(node: FunctionLimits): Required<CustomLimits> {
  return { wallMs: node.wallMs, memoryMb: Math.floor(node.memoryBytes / MIB), concurrency: node.concurrency, bodyBytes: node.bodyBytes };
}

/** The limits after `change`, refusing a value out of range (400 invalid_limit, naming it and the range). */
export function changeLimits(current: CustomLimits, change: LimitsChange, node: FunctionLimits): CustomLimits {
  const max = ceilings(node);
  const next: CustomLimits = { ...current };
  for (const key of Object.keys(FLOORS) as (keyof CustomLimits)[]) {
    const value = change[key];
    if (value === undefined) continue;
    if (value === null) {
      delete next[key];
      continue;
    }
    if (!Number.isInteger(value) || value < FLOORS[key] || value > max[key]) {
      throw fail("invalid_limit", `${key} must be a whole number from ${FLOORS[key]} to ${max[key]} (the node's limit)`, { limit: key, min: FLOORS[key], max: max[key] });
    }
    next[key] = value;
  }
  return next;
}

/** The limits a function's process runs under: its own where set (never above the node's), the node's elsewhere. */
export function effectiveLimits(node: FunctionLimits, custom: CustomLimits): FunctionLimits {
  const max = ceilings(node);
  const pick = (key: keyof CustomLimits) => Math.min(custom[key] ?? max[key], max[key]);
  return { ...node, wallMs: pick("wallMs"), memoryBytes: custom.memoryMb === undefined ? node.memoryBytes : pick("memoryMb") * MIB, concurrency: pick("concurrency"), bodyBytes: pick("bodyBytes") };
}

/** The limits as the API shows them: each one's value and whether the deployer set it. */
export function describeLimits(node: FunctionLimits, custom: CustomLimits): Record<keyof CustomLimits, { value: number; custom: boolean }> {
  const e = effectiveLimits(node, custom);
  const values: Required<CustomLimits> = { wallMs: e.wallMs, memoryMb: Math.floor(e.memoryBytes / MIB), concurrency: e.concurrency, bodyBytes: e.bodyBytes };
  return Object.fromEntries((Object.keys(FLOORS) as (keyof CustomLimits)[]).map((k) => [k, { value: values[k], custom: custom[k] !== undefined }])) as Record<
    keyof CustomLimits,
    { value: number; custom: boolean }
  >;
}
