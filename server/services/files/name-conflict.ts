// What happens when a name is taken: overwrite, pick "name (1).ext", or 409 item_with_same_name_exists.
import { ConflictError } from "../../errors.ts";
import type { FsEntryRow } from "./fs-entry.ts";
import { joinPath } from "./virtual-path.ts";

export interface ConflictPolicy {
  overwrite: boolean;
  dedupe: boolean;
}

/** "report.pdf" → "report (1).pdf", "(2)", …; folders and dotfiles keep the whole name as the stem. */
export function dedupedName(name: string, taken: (candidate: string) => boolean): string {
  const dot = name.lastIndexOf(".");
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  for (let i = 1; i < 10_000; i++) {
    const candidate = `${stem} (${i})${ext}`;
    if (!taken(candidate)) return candidate;
  }
  throw new ConflictError("Too many files with this name", "item_with_same_name_exists", { entry_name: name });
}

export interface Placement {
  name: string;
  path: string;
  /** The existing entry to replace (overwrite), if any. */
  replaces: FsEntryRow | null;
}

/** Decide where an item named `name` goes inside folder `dirPath`. */
export function place(dirPath: string, name: string, policy: ConflictPolicy, lookup: (path: string) => FsEntryRow | null): Placement {
  const path = joinPath(dirPath, name);
  const existing = lookup(path);
  if (!existing) return { name, path, replaces: null };
  if (policy.overwrite) return { name, path, replaces: existing };
  if (policy.dedupe) {
    const fresh = dedupedName(name, (c) => lookup(joinPath(dirPath, c)) !== null);
    return { name: fresh, path: joinPath(dirPath, fresh), replaces: null };
  }
  throw new ConflictError(`An item named "${name}" already exists here`, "item_with_same_name_exists", { entry_name: name });
}
