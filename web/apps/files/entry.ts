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
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${v < 10 && i ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
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
