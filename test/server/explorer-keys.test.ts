// The file list's keyboard and storage line (web/apps/files/explorer-keys.ts, entry.ts), decided
// without a browser; the Files e2e tests press the same keys in Chromium.
import { describe, expect, test } from "bun:test";
import { type Entry, storageLine } from "../../web/apps/files/entry.ts";
import { keyIntent, type ListState } from "../../web/apps/files/explorer-keys.ts";

const entry = (name: string, is_dir = false): Entry => ({
  uid: `u-${name}`,
  type: null,
  cid: null,
  name,
  path: `/w/${name}`,
  is_dir,
  is_public: false,
  size: is_dir ? null : 1,
  modified: 0,
  created: 0,
  metadata: null,
});
const [trashFolder, docs, a, b] = [entry("Trash", true), entry("Documents", true), entry("a.txt"), entry("b.txt")];
const home: ListState = { entries: [trashFolder, docs, a, b], focused: docs.uid, chosen: [], path: "~", inTrash: false, isTrashFolder: (e) => e === trashFolder };
const key = (k: string, shiftKey = false) => ({ key: k, shiftKey });

describe("keys in the file list", () => {
  test("arrows move the focus one row and stop at both ends; with nothing focused they start at the first row", () => {
    expect(keyIntent(key("ArrowDown"), home)).toEqual({ kind: "focus", index: 2 });
    expect(keyIntent(key("ArrowUp"), home)).toEqual({ kind: "focus", index: 0 });
    expect(keyIntent(key("ArrowDown"), { ...home, focused: b.uid })).toEqual({ kind: "focus", index: 3 });
    expect(keyIntent(key("ArrowUp"), { ...home, focused: trashFolder.uid })).toEqual({ kind: "focus", index: 0 });
    expect(keyIntent(key("ArrowDown"), { ...home, focused: null })).toEqual({ kind: "focus", index: 0 });
    expect(keyIntent(key("ArrowUp"), { ...home, focused: "gone" })).toEqual({ kind: "focus", index: 0 });
    expect(keyIntent(key("ArrowDown"), { ...home, entries: [], focused: null })).toBeNull();
  });

  test("Enter opens the focused row; Delete trashes the chosen rows, or the focused one; in the Trash, for good", () => {
    expect(keyIntent(key("Enter"), home)).toEqual({ kind: "open", entry: docs });
    expect(keyIntent(key("Delete"), home)).toEqual({ kind: "trash", entries: [docs] });
    expect(keyIntent(key("Delete"), { ...home, chosen: [a, b] })).toEqual({ kind: "trash", entries: [a, b] });
    const trash: ListState = { ...home, path: "~/Trash", inTrash: true, entries: [a], focused: a.uid, isTrashFolder: () => false };
    expect(keyIntent(key("Delete"), trash)).toEqual({ kind: "delete-for-good", entries: [a] });
    for (const k of ["Enter", "Delete", "F2", "ContextMenu"]) expect(keyIntent(key(k), { ...home, focused: null })).toBeNull();
  });

  test("F2 renames, except in the Trash and the Trash folder itself", () => {
    expect(keyIntent(key("F2"), { ...home, focused: a.uid })).toEqual({ kind: "rename", entry: a });
    expect(keyIntent(key("F2"), { ...home, focused: trashFolder.uid })).toBeNull();
    expect(keyIntent(key("F2"), { ...home, inTrash: true, path: "~/Trash" })).toBeNull();
  });

  test("the menu key, or Shift+F10 (F10 alone is the browser's), opens the focused row's menu", () => {
    expect(keyIntent(key("ContextMenu"), home)).toEqual({ kind: "menu", entry: docs });
    expect(keyIntent(key("F10", true), home)).toEqual({ kind: "menu", entry: docs });
    expect(keyIntent(key("F10"), home)).toBeNull();
  });

  test("Backspace goes up one folder, to Home from a folder at Home, and does nothing at Home", () => {
    expect(keyIntent(key("Backspace"), { ...home, path: "~/Documents/Taxes" })).toEqual({ kind: "up", path: "~/Documents" });
    expect(keyIntent(key("Backspace"), { ...home, path: "~/Documents" })).toEqual({ kind: "up", path: "~" });
    expect(keyIntent(key("Backspace"), home)).toBeNull();
  });

  test("other keys are left to the browser", () => {
    for (const k of ["a", "Tab", "Escape", " ", "Home", "PageDown"]) expect(keyIntent(key(k), home)).toBeNull();
  });
});

test("the storage line: used of the quota and what is left, or used and the disk's free space", () => {
  expect(storageLine({ used: 1536, quota: 10 * 1024 * 1024, available: 10 * 1024 * 1024 - 1536 })).toBe("1.5 KB of 10 MB used · 10 MB left");
  expect(storageLine({ used: 1023, quota: 1023.6 * 1024, available: 1023.4 * 1024 })).toBe("1023 B of 1.0 MB used · 1023 KB left");
  expect(storageLine({ used: 9.94 * 1024, quota: null, available: 9.95 * 1024 })).toBe("9.9 KB used · 10 KB free on the node");
  expect(storageLine({ used: 0, quota: null, available: 5 * 1024 ** 3 })).toBe("0 B used · 5.0 GB free on the node");
});
