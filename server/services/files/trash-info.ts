// Where a trashed item came from, kept in its metadata so it can be restored.
import { BadRequestError } from "../../errors.ts";

export interface TrashInfo {
  original_name: string;
  original_path: string;
  trashed_ts: number;
}

export function parseTrashInfo(metadata: string | null): TrashInfo {
  try {
    const m = JSON.parse(metadata ?? "null");
    if (typeof m?.original_path === "string" && typeof m?.original_name === "string") return m;
  } catch {
    /* fall through */
  }
  throw new BadRequestError("This item has no record of where it came from", "not_in_trash");
}
