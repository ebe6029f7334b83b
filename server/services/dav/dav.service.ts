// WebDAV class 1 and 2 (RFC 4918) over the caller's own files, through the same file service as
// every other route (wallet-scoped paths, the index, IPFS pins, events, quotas; DELETE goes to the
// Trash). Methods: OPTIONS, GET/HEAD (ranges), PUT (streamed), DELETE, MKCOL, COPY, MOVE
// (Overwrite), PROPFIND (depth 0 and 1), PROPPATCH, LOCK, UNLOCK; the If header on every one.
import type { Database } from "bun:sqlite";
import { AppError, fail } from "../../errors.ts";
import type { FileWriter } from "../files/file-writer.ts";
import type { FilesService } from "../files/files.service.ts";
import { type FsEntryRow, mimeFor } from "../files/fs-entry.ts";
import { fileResponse } from "../files/read-response.ts";
import type { TrashService } from "../files/trash.service.ts";
import { baseName, isWithin, parentPath } from "../files/virtual-path.ts";
import { ifHolds, parseIf, type ResourceState, submittedTokens } from "./dav-if-header.ts";
import { activeLockXml, type LockManager, timeoutOf } from "./dav-locks.ts";
import { DAV_PREFIX, depthOf, destinationOf, hrefOf, pathOf } from "./dav-paths.ts";
import type { DavPropertiesRepository } from "./dav-properties.repository.ts";
import { DavProps, etagOf, parsePropfind } from "./dav-props.ts";
import { childElements, escapeXml, innerXml, isDav, readXml, xmlResponse } from "./dav-xml.ts";

export const DAV_METHODS = ["OPTIONS", "GET", "HEAD", "PUT", "DELETE", "MKCOL", "COPY", "MOVE", "PROPFIND", "PROPPATCH", "LOCK", "UNLOCK"] as const;

export interface DavDeps {
  db: Database;
  files: FilesService;
  writer: FileWriter;
  trash: TrashService;
  props: DavPropertiesRepository;
  locks: LockManager;
}

const empty = () => new ReadableStream<Uint8Array>({ start: (c) => c.close() });

export class DavService {
  private readonly view: DavProps;

  constructor(private readonly deps: DavDeps) {
    this.view = new DavProps(deps);
  }

  async handle(owner: string, request: Request): Promise<Response> {
    // A fragment is never part of a resource's name: refuse it rather than act on the URL without it.
    if (request.url.includes("#")) throw fail("invalid_path", "A WebDAV URL cannot carry a fragment (#)");
    const url = new URL(request.url);
    this.deps.files.ensureHome(owner);
    const path = pathOf(url.pathname, owner);
    if (request.method === "OPTIONS") return options();
    const submitted = this.preconditions(owner, request, path);
    switch (request.method) {
      case "GET":
      case "HEAD":
        return this.get(owner, request, path);
      case "PUT":
        return this.put(owner, request, path, submitted);
      case "DELETE":
        return this.delete(owner, path, submitted);
      case "MKCOL":
        return this.mkcol(owner, request, path, submitted);
      case "COPY":
      case "MOVE":
        return this.copyOrMove(owner, request, path, submitted);
      case "PROPFIND":
        return this.propfind(owner, request, path);
      case "PROPPATCH": {
        const e = this.found(owner, path);
        this.deps.locks.check(owner, path, submitted);
        return this.view.proppatch(owner, e, await readXml(request));
      }
      case "LOCK":
        return this.lock(owner, request, path, submitted);
      case "UNLOCK":
        return this.unlock(owner, request, path);
      default:
        throw fail("method_not_allowed", `${request.method} is not a WebDAV method here`);
    }
  }

  private found(owner: string, path: string): FsEntryRow {
    const e = this.deps.files.entryAt(owner, path);
    if (!e) throw fail("not_found", `Nothing at ${hrefOf(path, false)}`);
    return e;
  }

  /** The parent folder of a new resource must exist (409 otherwise, as WebDAV says). */
  private parentFolder(owner: string, path: string): FsEntryRow {
    const parent = this.deps.files.entryAt(owner, parentPath(path));
    if (!parent || !parent.is_dir) throw fail("dav_parent_missing", `The folder ${hrefOf(parentPath(path), true)} does not exist`);
    return parent;
  }

  /** The If header holds (else 412); returns the lock tokens it submits. */
  private preconditions(owner: string, request: Request, path: string): Set<string> {
    const lists = parseIf(request.headers.get("if"));
    const stateOf = (resource: string | null): ResourceState | null => {
      let target = path;
      if (resource !== null) {
        try {
          const u = new URL(resource, request.url);
          if (!u.pathname.startsWith(DAV_PREFIX)) return null;
          target = pathOf(u.pathname, owner);
        } catch (err) {
          if (err instanceof AppError || err instanceof TypeError) return null;
          throw err;
        }
      }
      const e = this.deps.files.entryAt(owner, target);
      return { etag: e ? etagOf(e) : null, tokens: new Set(this.deps.locks.covering(owner, target).map((l) => l.token)) };
    };
    if (!ifHolds(lists, stateOf)) throw fail("dav_precondition_failed", "The If header's conditions do not hold");
    return submittedTokens(lists);
  }

  private get(owner: string, request: Request, path: string): Response {
    const e = this.found(owner, path);
    if (!e.is_dir) return fileResponse(request, e, this.deps.files.blob(owner, e), { contentType: e.mime ?? mimeFor(e.name) });
    // A folder read in a browser: a plain list of links.
    const rows = this.deps.files.children(owner, e);
    const items = rows.map((c) => `<li><a href="${escapeXml(hrefOf(c.path, c.is_dir === 1))}">${escapeXml(c.name)}${c.is_dir ? "/" : ""}</a></li>`).join("");
    const title = escapeXml(hrefOf(e.path, true));
    return new Response(`<!doctype html><meta charset="utf-8"><title>${title}</title><h1>${title}</h1><ul>${items}</ul>`, {
      headers: { "content-type": "text/html; charset=utf-8", "cache-control": "private, no-cache" },
    });
  }

  private async put(owner: string, request: Request, path: string, submitted: Set<string>): Promise<Response> {
    if (path === "/") throw fail("method_not_allowed", "The root is a folder");
    const existing = this.deps.files.entryAt(owner, path);
    if (existing?.is_dir) throw fail("method_not_allowed", "A folder cannot be replaced by a file");
    this.parentFolder(owner, path);
    this.deps.locks.check(owner, path, submitted, { parent: existing ? null : parentPath(path) });
    const length = request.headers.get("content-length");
    const written = await this.deps.writer.write(owner, path, request.body ?? empty(), {
      overwrite: true,
      dedupe: false,
      createParents: false,
      size: length === null ? undefined : Number(length),
    });
    return new Response(null, { status: existing ? 204 : 201, headers: { etag: etagOf(written) ?? "" } });
  }

  private delete(owner: string, path: string, submitted: Set<string>): Response {
    const e = this.found(owner, path);
    if (path === "/") throw fail("immutable", "The home folder cannot be deleted");
    this.deps.locks.check(owner, path, submitted, { deep: true, parent: parentPath(path) });
    this.deps.trash.delete(owner, [{ path }]);
    this.deps.locks.dropWithin(owner, e.path);
    return new Response(null, { status: 204 });
  }

  private async mkcol(owner: string, request: Request, path: string, submitted: Set<string>): Promise<Response> {
    if (request.body && (await request.arrayBuffer()).byteLength > 0) throw fail("unsupported_media_type", "MKCOL with a body is not supported");
    if (this.deps.files.entryAt(owner, path)) throw fail("method_not_allowed", "Something already exists here");
    this.parentFolder(owner, path);
    this.deps.locks.check(owner, path, submitted, { parent: parentPath(path) });
    this.deps.files.mkdir(owner, { path, createParents: false, overwrite: false, dedupe: false });
    return new Response(null, { status: 201 });
  }

  private copyOrMove(owner: string, request: Request, path: string, submitted: Set<string>): Response {
    const move = request.method === "MOVE";
    const src = this.found(owner, path);
    const dest = destinationOf(request, owner);
    if (dest === path) throw fail("forbidden", "The source and the destination are the same");
    if (src.is_dir && isWithin(dest, path)) throw fail("forbidden", "A folder cannot be copied or moved into itself");
    const depth = depthOf(request, "infinity");
    if (depth === "1" || (move && depth !== "infinity")) throw fail("invalid_request", `${request.method} takes Depth: ${move ? "infinity" : "0 or infinity"}`);
    const overwrite = (request.headers.get("overwrite") ?? "T").trim().toUpperCase() !== "F";
    this.parentFolder(owner, dest);
    if (move) this.deps.locks.check(owner, path, submitted, { deep: true, parent: parentPath(path) });
    const existing = this.deps.files.entryAt(owner, dest);
    this.deps.locks.check(owner, dest, submitted, { deep: true, parent: existing ? null : parentPath(dest) });
    if (existing) {
      if (!overwrite) throw fail("dav_precondition_failed", "The destination exists and Overwrite is F");
      // What is replaced goes to the Trash, as a DELETE would send it.
      this.deps.trash.delete(owner, [{ path: dest }]);
      this.deps.locks.dropWithin(owner, dest);
    }
    if (move) {
      this.deps.files.move(owner, { path }, parentPath(dest), { overwrite: false, dedupe: false, newName: baseName(dest) });
      this.deps.locks.dropWithin(owner, path);
    } else if (src.is_dir && depth === "0") {
      const made = this.deps.files.mkdir(owner, { path: dest, createParents: false, overwrite: false, dedupe: false });
      this.view.copyDead(owner, { ...src, is_dir: 0 }, made);
    } else {
      const { copied } = this.deps.files.copy(owner, { path }, parentPath(dest), { overwrite: false, dedupe: false, newName: baseName(dest) });
      this.view.copyDead(owner, src, copied);
    }
    return new Response(null, { status: existing ? 204 : 201 });
  }

  private async propfind(owner: string, request: Request, path: string): Promise<Response> {
    const depth = depthOf(request, "infinity");
    // Depth infinity over a whole tree is refused, as RFC 4918 allows: ask folder by folder.
    if (depth === "infinity") return xmlResponse(403, '<D:error xmlns:D="DAV:"><D:propfind-finite-depth/></D:error>');
    const what = parsePropfind(await readXml(request));
    return this.view.propfind(owner, this.found(owner, path), depth, what);
  }

  private async lock(owner: string, request: Request, path: string, submitted: Set<string>): Promise<Response> {
    const root = await readXml(request);
    const timeout = timeoutOf(request.headers.get("timeout"));
    if (!root) {
      // A refresh: the lock is named by a token in the If header.
      const lock = [...submitted].map((t) => this.deps.locks.byToken(owner, t)).find((l) => l && this.deps.locks.covering(owner, path).includes(l));
      if (!lock) throw fail("dav_precondition_failed", "A lock refresh needs the token of a lock on this resource in its If header");
      this.deps.locks.refresh(lock, timeout);
      return lockAnswer(lock, 200);
    }
    if (!isDav(root, "lockinfo")) throw fail("bad_request", "A LOCK body is a DAV:lockinfo element");
    const scopeEl = childElements(root).find((c) => isDav(c, "lockscope"));
    const scopeName = scopeEl ? childElements(scopeEl)[0] : undefined;
    const scope = scopeName && isDav(scopeName, "exclusive") ? "exclusive" : scopeName && isDav(scopeName, "shared") ? "shared" : null;
    const typeEl = childElements(root).find((c) => isDav(c, "locktype"));
    if (!scope || !typeEl || !childElements(typeEl).some((c) => isDav(c, "write"))) throw fail("bad_request", "A lock is exclusive or shared, and of type write");
    const depth = depthOf(request, "infinity");
    if (depth === "1") throw fail("invalid_request", "A lock has Depth 0 or infinity");
    const ownerEl = childElements(root).find((c) => isDav(c, "owner"));
    let created = false;
    if (!this.deps.files.entryAt(owner, path)) {
      // Locking an unmapped URL makes an empty file there (RFC 4918 §7.3).
      this.parentFolder(owner, path);
      this.deps.locks.check(owner, path, submitted, { parent: parentPath(path) });
      await this.deps.writer.write(owner, path, empty(), { overwrite: false, dedupe: false, createParents: false, size: 0 });
      created = true;
    }
    const e = this.found(owner, path);
    const lock = this.deps.locks.lock({
      owner,
      root: path,
      href: hrefOf(path, e.is_dir === 1),
      scope,
      depth: depth === "0" ? "0" : "infinity",
      ownerXml: ownerEl ? innerXml(ownerEl) : "",
      timeoutSeconds: timeout,
    });
    return lockAnswer(lock, created ? 201 : 200);
  }

  private unlock(owner: string, request: Request, path: string): Response {
    const token = /^<([^>]+)>$/.exec((request.headers.get("lock-token") ?? "").trim())?.[1];
    if (!token) throw fail("invalid_request", "UNLOCK needs a Lock-Token header: <urn:uuid:…>");
    this.found(owner, path);
    this.deps.locks.unlock(owner, path, token);
    return new Response(null, { status: 204 });
  }
}

function options(): Response {
  return new Response(null, {
    status: 200,
    headers: { dav: "1, 2", allow: DAV_METHODS.join(", "), "ms-author-via": "DAV", "content-length": "0" },
  });
}

function lockAnswer(lock: Parameters<typeof activeLockXml>[0], status: number): Response {
  return xmlResponse(status, `<D:prop xmlns:D="DAV:"><D:lockdiscovery>${activeLockXml(lock, Date.now())}</D:lockdiscovery></D:prop>`, { "lock-token": `<${lock.token}>` });
}
