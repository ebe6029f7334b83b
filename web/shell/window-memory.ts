// Which windows a user had open, where, kept in this browser so a reload brings them back (apps,
// files and folders; a file's contents are read again, never kept here). Forgotten on sign-out.
import type { Entry } from "../apps/files/entry.ts";
import type { WindowGeometry } from "./pc2-window.ts";

/** What a window shows, in a form that survives a reload. */
export type WindowContent = { kind: "app"; id: string } | { kind: "file"; entry: Entry } | { kind: "folder"; path: string };

export interface RememberedWindow {
  content: WindowContent;
  geometry: WindowGeometry;
  minimized: boolean;
  maximized: boolean;
}

const key = (address: string) => `pc2.windows.${address}`;
const MAX = 20;

export function rememberWindows(address: string, windows: RememberedWindow[]): void {
  try {
    localStorage.setItem(key(address), JSON.stringify(windows.slice(-MAX)));
  } catch {
    // Storage full or off: the desktop works without it.
  }
}

export function rememberedWindows(address: string): RememberedWindow[] {
  try {
    const list = JSON.parse(localStorage.getItem(key(address)) ?? "[]");
    return Array.isArray(list) ? list.filter((w) => w && typeof w === "object" && w.content && w.geometry).slice(-MAX) : [];
  } catch {
    return [];
  }
}

export function forgetWindows(address: string): void {
  localStorage.removeItem(key(address));
}
