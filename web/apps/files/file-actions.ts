// What the file explorer can do to entries, as plain calls to the node (no UI here).
import { api } from "../../api/rest-client.ts";
import type { ShareLink } from "../../../server/services/files/share-links.ts";
import type { Entry } from "./entry.ts";
import { downloadZip } from "./zip-download.ts";

/** A file as itself, a folder as a zip (with progress where the browser allows; `onFailed` if refused). */
export function download(e: Entry, onFailed: (message: string) => void): void {
  if (e.is_dir) return void downloadZip(e.uid, e.name, onFailed);
  const a = document.createElement("a");
  a.href = `/read?file=${encodeURIComponent(e.uid)}`;
  a.download = e.name;
  a.click();
}

/** Share publicly: the links it can be opened at, best first. */
export async function share(e: Entry): Promise<ShareLink[]> {
  return (await api.post<{ links: ShareLink[] }>("/api/files/share", { uid: e.uid })).links;
}

export function unshare(e: Entry): Promise<unknown> {
  return api.post("/api/files/unshare", { uid: e.uid });
}

export function trash(entries: Entry[]): Promise<unknown> {
  return api.post("/delete", { paths: entries.map((e) => e.uid) });
}

export function restore(e: Entry): Promise<unknown> {
  return api.post("/api/files/trash/restore", { uid: e.uid });
}

/** Put entries back from the Trash (Undo of a delete): found there by their uids. */
export async function restoreAll(entries: Entry[]): Promise<void> {
  for (const e of entries) await api.post("/api/files/trash/restore", { uid: e.uid });
}

export function rename(e: Entry, name: string): Promise<unknown> {
  return api.post("/rename", { uid: e.uid, new_name: name });
}

/** Move or copy entries into the folder at `path` ("~/…"); a name already there gets a number (… (1)). */
export async function placeInto(how: "move" | "copy", entries: Entry[], path: string): Promise<void> {
  for (const e of entries) await api.post(how === "move" ? "/move" : "/copy", { source: e.uid, destination: path, dedupe_name: true });
}

/** Move entries into a folder (drag between folders). */
export async function moveInto(entries: Entry[], folder: Entry): Promise<void> {
  for (const e of entries) if (e.uid !== folder.uid) await api.post("/move", { source: e.uid, destination: folder.uid });
}

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
