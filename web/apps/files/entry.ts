// A file or folder as the Puter-compatible API returns it (v1 shape), and how the desktop shows and selects it.

export interface Entry {
  uid: string;
  type: string | null;
  cid: string | null;
  name: string;
  path: string;
  is_dir: boolean;
  is_public: boolean;
  size: number | null;
  modified: number;
  created: number;
  metadata: string | null;
}

/** The API's "/0x…/Documents/a.txt" as the desktop writes it: "~/Documents/a.txt". */
export function homePath(apiPath: string): string {
  return apiPath.replace(/^\/0x[0-9a-f]{40}(?=\/|$)/, "~");
}

/** 1536 → "1.5 KB"; null (a folder) → "—". */
export function formatSize(n: number | null): string {
  if (n === null) return "—";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  let v = n;
  // Up a unit while the number shown would round to 1024 (1023.7 KB is "1.0 MB", not "1024 KB").
  while (v >= 1023.5 && i < units.length - 1) (v /= 1024), i++;
  // One decimal below 10 ("9.5 MB"), none from where it would round to 10 ("10 MB", not "10.0 MB").
  return `${v < 9.95 && i ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** What a wallet's files take (GET /api/files/quota): its quota, null when it has none. */
export interface StorageUse {
  used: number;
  quota: number | null;
  available: number;
}

/** The line under the list: used of the quota and what is left, or used and the disk's free space. */
export function storageLine(u: StorageUse): string {
  return u.quota === null ? `${formatSize(u.used)} used · ${formatSize(u.available)} free on the node` : `${formatSize(u.used)} of ${formatSize(u.quota)} used · ${formatSize(u.available)} left`;
}

/** The name to show: an item in the Trash is stored under its uid, with its own name in its metadata. */
export function shownName(e: Entry, inTrash: boolean): string {
  return inTrash && e.metadata ? (JSON.parse(e.metadata).original_name as string) : e.name;
}

/** The selection after clicking `e`: alone; Ctrl/Cmd toggles it; Shift extends from the focused entry. */
export function nextSelection(entries: Entry[], chosen: ReadonlySet<string>, focused: string | null, e: Entry, ev: { ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }): Set<string> {
  const next = new Set(ev.ctrlKey || ev.metaKey ? chosen : []);
  if (ev.shiftKey && focused) {
    const a = entries.findIndex((x) => x.uid === focused);
    const b = entries.findIndex((x) => x.uid === e.uid);
    for (const x of entries.slice(Math.min(a, b), Math.max(a, b) + 1)) next.add(x.uid);
  } else if ((ev.ctrlKey || ev.metaKey) && next.has(e.uid)) next.delete(e.uid);
  else next.add(e.uid);
  return next;
}
