// Which backup sets to keep (the newest set of each of the last N days, ISO weeks and months, as
// restic and borg count them; the newest set always), and pruning: delete the other sets' manifests
// first, then every chunk no remaining set names. A chunk still named by a kept set is never
// removed. Pruning and backing up must not run at the same time on one destination (a backup's
// chunks are named by its manifest only once it is written): callers hold one lock for both.
import type { BackupKeys } from "./backup-keys.ts";
import { readSet } from "./backup-restore.ts";
import type { BackupDestination } from "./destination.ts";

export interface RetentionPolicy {
  daily: number;
  weekly: number;
  monthly: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { daily: 7, weekly: 4, monthly: 6 };

/** A set name (20261204T050000123Z) back to its time. */
export function setTime(name: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})?Z$/.exec(name);
  if (!m) throw new RangeError(`not a backup set name: ${name}`);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +(m[7] ?? 0)));
}

/** The ISO week (Monday to Sunday, UTC) a time falls in, named by its Monday's date. */
function isoWeek(d: Date): string {
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - sinceMonday)).toISOString().slice(0, 10);
}

/** The sets to keep under `policy` (names, any order in, newest first out). */
export function setsToKeep(names: string[], policy: RetentionPolicy): Set<string> {
  const newestFirst = [...names].sort().reverse();
  const keep = new Set<string>(newestFirst.slice(0, 1));
  const buckets: [number, (d: Date) => string][] = [
    [policy.daily, (d) => d.toISOString().slice(0, 10)],
    [policy.weekly, isoWeek],
    [policy.monthly, (d) => d.toISOString().slice(0, 7)],
  ];
  for (const [count, bucketOf] of buckets) {
    const seen = new Set<string>();
    for (const name of newestFirst) {
      if (seen.size >= count) break;
      const bucket = bucketOf(setTime(name));
      if (seen.has(bucket)) continue;
      seen.add(bucket);
      keep.add(name);
    }
  }
  return keep;
}

export interface PruneResult {
  keptSets: string[];
  deletedSets: string[];
  deletedChunks: number;
}

export async function pruneBackups(destination: BackupDestination, keys: BackupKeys & { nodeId: string }, policy: RetentionPolicy): Promise<PruneResult> {
  const sets = await destination.listSets();
  const keep = setsToKeep(sets, policy);
  // Read every kept manifest first: if one cannot be read, nothing is deleted.
  const referenced = new Set<string>();
  for (const name of keep) {
    const { manifest } = await readSet(destination, keys, name);
    for (const obj of manifest.objects) for (const id of obj.chunks) referenced.add(id);
  }
  const deletedSets = sets.filter((s) => !keep.has(s));
  for (const name of deletedSets) await destination.deleteSet(name);
  let deletedChunks = 0;
  for (const id of await destination.listChunks()) {
    if (referenced.has(id)) continue;
    await destination.deleteChunk(id);
    deletedChunks++;
  }
  await destination.sweepTemp();
  return { keptSets: [...keep].sort(), deletedSets, deletedChunks };
}
