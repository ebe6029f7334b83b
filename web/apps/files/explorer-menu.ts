// The explorer's context menu: what can be done to an entry (in the Trash and elsewhere), and doing it.
import type { ShareLink } from "../../../server/services/files/share-links.ts";
import type { Entry } from "./entry.ts";
import * as actions from "./file-actions.ts";
import type { MenuItem } from "./pc2-context-menu.ts";

export function menuFor(e: Entry, inTrash: boolean, chosen: number, isTrashFolder = false): MenuItem[] {
  if (isTrashFolder) return [{ id: "open", label: "Open" }];
  if (inTrash)
    return [
      { id: "restore", label: "Restore" },
      { id: "delete-for-good", label: "Delete for good" },
    ];
  return [
    { id: "open", label: "Open" },
    { id: "rename", label: "Rename" },
    { id: "download", label: e.is_dir ? "Download as zip" : "Download" },
    { id: "move-to", label: chosen > 1 ? `Move ${chosen} items to…` : "Move to…" },
    { id: "copy-to", label: chosen > 1 ? `Copy ${chosen} items to…` : "Copy to…" },
    ...(e.is_dir ? [] : [{ id: "cid", label: "Copy CID" }, { id: "share", label: e.is_public ? "Shared: show link…" : "Share…" }, ...(e.is_public ? [{ id: "unshare", label: "Stop sharing" }] : [])]),
    { id: "properties", label: "Properties" },
    { id: "delete", label: chosen > 1 ? `Delete ${chosen} items` : "Delete" },
  ];
}

/** What a menu action needs from the explorer showing it. */
export interface MenuHost {
  open(e: Entry): void;
  rename(e: Entry): void;
  showDetails(e: Entry): void;
  /** The share dialog for a shared entry and its links. */
  showShare(e: Entry, links: ShareLink[]): void;
  /** The entries chosen (several, for delete); empty when only the one right-clicked counts. */
  chosen(): Entry[];
  /** Run a change, report a failure, reload the folder. */
  act(fn: () => Promise<unknown>): Promise<void>;
  toast(text: string, kind?: "info" | "error"): void;
  /** To the Trash, with Undo. */
  trash(entries: Entry[]): Promise<void>;
  /** Out of the Trash for good, after asking. */
  deleteForGood(entries: Entry[]): Promise<void>;
  /** Ask for a folder, then move or copy the entries there. */
  chooseFolderFor(how: "move" | "copy", entries: Entry[]): void;
}

export async function runMenuAction(id: string, e: Entry, host: MenuHost): Promise<void> {
  switch (id) {
    case "open":
      return host.open(e);
    case "rename":
      return host.rename(e);
    case "download":
      return actions.download(e, (message) => host.toast(`${e.name}.zip was not downloaded: ${message}`, "error"));
    case "cid":
      return host.toast((await actions.copyText(e.cid ?? "")) ? "CID copied" : `CID: ${e.cid}`);
    case "share":
      return host.act(async () => host.showShare(e, await actions.share(e)));
    case "unshare":
      return host.act(async () => (await actions.unshare(e), host.toast("No longer shared")));
    case "move-to":
      return host.chooseFolderFor("move", host.chosen().length ? host.chosen() : [e]);
    case "copy-to":
      return host.chooseFolderFor("copy", host.chosen().length ? host.chosen() : [e]);
    case "properties":
      return host.showDetails(e);
    case "restore":
      return host.act(() => actions.restore(e));
    case "delete":
      return host.trash(host.chosen().length ? host.chosen() : [e]);
    case "delete-for-good":
      return host.deleteForGood(host.chosen().length ? host.chosen() : [e]);
  }
}
