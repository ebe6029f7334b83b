// The Trash, on top of the files service: deleting moves an entry into ~/Trash (renamed to its uid,
// with where it came from), deleting there is for good, restore puts it back, empty clears it.
import { BadRequestError } from "../../errors.ts";
import { TRASH, type FilesService } from "./files.service.ts";
import type { FsEntryRow } from "./fs-entry.ts";
import { parseTrashInfo, type TrashInfo } from "./trash-info.ts";
import { displayPath, isWithin, parentPath, resolvePath } from "./virtual-path.ts";

export class TrashService {
  constructor(private readonly files: FilesService) {}

  /** Delete to Trash; anything already in the Trash is deleted for good. */
  delete(owner: string, selectors: unknown[], descendantsOnly = false): FsEntryRow[] {
    const done: FsEntryRow[] = [];
    for (const selector of selectors) {
      const e = this.files.find(owner, selector);
      if (descendantsOnly) {
        if (!e.is_dir) throw new BadRequestError("descendants_only needs a folder", "dest_is_not_a_directory");
        if (e.path === TRASH) this.empty(owner);
        else for (const child of this.files.children(owner, e)) done.push(this.deleteOne(owner, child));
        continue;
      }
      this.files.mutable(e);
      done.push(this.deleteOne(owner, e));
    }
    return done;
  }

  private deleteOne(owner: string, e: FsEntryRow): FsEntryRow {
    if (isWithin(e.path, TRASH)) {
      this.files.purge(owner, e);
      return e;
    }
    // Puter's desktop reads original_path as a display path (/<address>/…); restore accepts either form.
    const info: TrashInfo = { original_name: e.name, original_path: displayPath(e.path, owner), trashed_ts: Math.floor(Date.now() / 1000) };
    const moved = this.files.move(owner, e.uid, TRASH, { overwrite: false, dedupe: false, newName: e.uid, newMetadata: info }).moved;
    // The Trash ends sharing, and restoring does not share again.
    this.files.stopSharing(owner, moved.path);
    return this.files.find(owner, { uid: moved.uid });
  }

  /** What is in the Trash, most recently deleted first. */
  list(owner: string): FsEntryRow[] {
    return this.files.readdir(owner, TRASH, { sort: "modified", desc: true }).rows;
  }

  /** Put a trashed entry back where it was (recreating folders; a new name if the spot is taken). */
  restore(owner: string, selector: unknown): FsEntryRow {
    const e = this.files.find(owner, selector);
    if (e.parent_uid !== this.files.find(owner, TRASH).uid) throw new BadRequestError("Only items directly in the Trash can be restored", "not_in_trash");
    const info = parseTrashInfo(e.metadata);
    const from = resolvePath(info.original_path, owner);
    return this.files.move(owner, e.uid, displayPath(parentPath(from), owner), { overwrite: false, dedupe: true, newName: info.original_name, newMetadata: {}, createParents: true }).moved;
  }

  /** Delete everything in the Trash for good, then collect IPFS garbage. */
  empty(owner: string): number {
    const items = this.files.children(owner, this.files.find(owner, TRASH));
    for (const item of items) this.files.purge(owner, item);
    if (items.length) this.files.collectGarbage();
    return items.length;
  }
}
