// A file-index row and the two wire shapes Puter clients expect: v1 (snake_case) and v2 (camelCase).
import { baseName, displayPath, parentPath } from "./virtual-path.ts";

export interface FsEntryRow {
  uid: string;
  owner: string;
  path: string;
  parent_uid: string | null;
  name: string;
  is_dir: 0 | 1;
  size: number | null;
  mime: string | null;
  cid: string | null;
  blob: string | null;
  immutable: 0 | 1;
  is_public: 0 | 1;
  metadata: string | null;
  created: number;
  modified: number;
  accessed: number;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** MIME type from the file name (Bun's table), as Puter reports it; folders are "folder". */
export function mimeFor(name: string): string {
  return Bun.file(name).type || "application/octet-stream";
}

export function toV1(e: FsEntryRow) {
  const path = displayPath(e.path, e.owner);
  const dir = e.path === "/" ? "/" : displayPath(parentPath(e.path), e.owner);
  return {
    id: e.uid,
    uid: e.uid,
    uuid: e.uid,
    parent_id: e.parent_uid,
    parent_uid: e.parent_uid,
    path,
    dirname: dir,
    dirpath: dir,
    name: e.path === "/" ? e.owner : e.name,
    is_dir: e.is_dir === 1,
    is_shortcut: 0,
    shortcut_to: null,
    is_symlink: 0,
    symlink_path: null,
    type: e.is_dir ? "folder" : e.mime,
    writable: true,
    is_public: e.is_public === 1,
    thumbnail: null,
    immutable: e.immutable === 1,
    metadata: e.metadata,
    modified: seconds(e.modified),
    created: seconds(e.created),
    accessed: seconds(e.accessed),
    size: e.is_dir ? null : e.size,
    layout: null,
    cid: e.cid,
    owner: { username: e.owner },
  };
}

export type V1Entry = ReturnType<typeof toV1>;

export function toV2(e: FsEntryRow) {
  return {
    uuid: e.uid,
    uid: e.uid,
    id: e.uid,
    parentUid: e.parent_uid,
    path: displayPath(e.path, e.owner),
    name: e.path === "/" ? e.owner : baseName(e.path),
    isDir: e.is_dir === 1,
    isShortcut: false,
    shortcutTo: null,
    isSymlink: false,
    symlinkPath: null,
    isPublic: e.is_public === 1,
    immutable: e.immutable === 1,
    metadata: e.metadata,
    modified: seconds(e.modified),
    created: seconds(e.created),
    accessed: seconds(e.accessed),
    size: e.is_dir ? null : e.size,
    layout: null,
    type: e.is_dir ? "folder" : e.mime,
    thumbnail: null,
    associatedApp: null,
    cid: e.cid,
  };
}
