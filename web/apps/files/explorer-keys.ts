// What a key pressed in the file list asks for. A pure decision (the explorer carries it out), so the
// keyboard's rules are tested without a browser: arrows move the focus and stop at both ends, Enter
// opens, Delete trashes (deletes for good in the Trash), F2 renames (not in the Trash, not the Trash
// folder itself), the menu key or Shift+F10 opens the menu, Backspace goes up a folder.
import type { Entry } from "./entry.ts";

export type KeyIntent =
  | { kind: "focus"; index: number }
  | { kind: "open"; entry: Entry }
  | { kind: "trash"; entries: Entry[] }
  | { kind: "delete-for-good"; entries: Entry[] }
  | { kind: "rename"; entry: Entry }
  | { kind: "menu"; entry: Entry }
  | { kind: "up"; path: string };

export interface ListState {
  entries: readonly Entry[];
  /** The focused row's uid. */
  focused: string | null;
  /** The chosen rows (a multi-selection), in list order. */
  chosen: readonly Entry[];
  /** The folder shown, as "~/…". */
  path: string;
  inTrash: boolean;
  isTrashFolder: (e: Entry) => boolean;
}

/** The intent of a key, or null when the key is not the list's (the browser keeps it). */
export function keyIntent(key: { key: string; shiftKey: boolean }, s: ListState): KeyIntent | null {
  const i = s.entries.findIndex((x) => x.uid === s.focused);
  const current = s.entries[i];
  switch (key.key) {
    case "ArrowDown":
    case "ArrowUp": {
      if (!s.entries.length) return null;
      // With nothing focused, either arrow focuses the first row.
      const index = Math.min(s.entries.length - 1, Math.max(0, i + (key.key === "ArrowDown" ? 1 : -1)));
      return { kind: "focus", index };
    }
    case "Enter":
      return current ? { kind: "open", entry: current } : null;
    case "Delete": {
      if (!current) return null;
      const entries = s.chosen.length ? [...s.chosen] : [current];
      return s.inTrash ? { kind: "delete-for-good", entries } : { kind: "trash", entries };
    }
    case "F2":
      return current && !s.inTrash && !s.isTrashFolder(current) ? { kind: "rename", entry: current } : null;
    case "ContextMenu":
      return current ? { kind: "menu", entry: current } : null;
    case "F10":
      return current && key.shiftKey ? { kind: "menu", entry: current } : null;
    case "Backspace":
      return s.path === "~" ? null : { kind: "up", path: s.path.slice(0, s.path.lastIndexOf("/")) || "~" };
    default:
      return null;
  }
}
