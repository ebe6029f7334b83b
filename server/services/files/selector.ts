// Puter selectors → index rows of the caller: "/path" or "~/path", a uid string, or {path}|{uid}|{uuid}|{id}|{parent,name}.
import { NotFoundError, ValidationError } from "../../errors.ts";
import type { FsEntryRow } from "./fs-entry.ts";
import type { FilesRepository } from "./files.repository.ts";
import { checkName, joinPath, resolvePath } from "./virtual-path.ts";

const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function notFound(what: string): NotFoundError {
  return new NotFoundError(`Entry not found: ${what}`, "not_found");
}

/** Find an entry of `owner`, or throw 404. Another wallet's entries are simply not there. */
export function findEntry(repo: FilesRepository, owner: string, selector: unknown): FsEntryRow {
  if (typeof selector === "string") {
    if (selector.startsWith("/") || selector.startsWith("~")) {
      const path = resolvePath(selector, owner);
      return repo.byPath(owner, path) ?? throwNotFound(selector);
    }
    if (!UID.test(selector)) throw new ValidationError("A selector is a path starting with / or ~, or an entry uid");
    return repo.byUid(owner, selector) ?? throwNotFound(selector);
  }
  if (selector && typeof selector === "object" && !Array.isArray(selector)) {
    const s = selector as Record<string, unknown>;
    if (typeof s.path === "string") return findEntry(repo, owner, s.path);
    for (const key of ["uid", "uuid", "id"]) if (typeof s[key] === "string") return findEntry(repo, owner, s[key]);
    if (s.parent !== undefined && typeof s.name === "string") {
      const parent = findEntry(repo, owner, s.parent);
      return repo.byPath(owner, joinPath(parent.path, checkName(s.name))) ?? throwNotFound(s.name);
    }
  }
  throw new ValidationError("Say which entry: a path, a uid, or {path} / {uid} / {parent, name}");
}

function throwNotFound(what: string): never {
  throw notFound(what.slice(0, 200));
}
