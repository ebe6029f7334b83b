// PROPFIND and PROPPATCH (RFC 4918 §9.1–9.2): the live properties of a file or folder — type,
// length, content type, ETag (the CID), dates, display name, locks, and the quota of RFC 4331 on
// folders — and the dead ones a client set, kept in SQLite. A PROPPATCH is all or nothing.
import type { Element } from "@xmldom/xmldom";
import type { Database } from "bun:sqlite";
import { transaction } from "../../db/database.ts";
import { fail } from "../../errors.ts";
import type { FilesService } from "../files/files.service.ts";
import { type FsEntryRow, mimeFor } from "../files/fs-entry.ts";
import { activeLockXml, type LockManager, SUPPORTED_LOCK } from "./dav-locks.ts";
import { hrefOf } from "./dav-paths.ts";
import { type DavPropertiesRepository, MAX_PROPERTIES_PER_ENTRY, MAX_PROPERTY_BYTES } from "./dav-properties.repository.ts";
import { childElements, DAV, escapeXml, innerXml, isDav, multistatus, propElement, type QName, qkey, qnameOf, statusLine } from "./dav-xml.ts";

/** What a PROPFIND asks for. */
export type PropfindRequest = { kind: "allprop"; include: QName[] } | { kind: "propname" } | { kind: "prop"; names: QName[] };

const QUOTA = ["quota-available-bytes", "quota-used-bytes"];

/** An entry's ETag: its CID (files); folders have none. */
export const etagOf = (e: FsEntryRow) => (e.is_dir || !e.cid ? null : `"${e.cid}"`);

export function parsePropfind(root: Element | null): PropfindRequest {
  if (!root) return { kind: "allprop", include: [] };
  if (!isDav(root, "propfind")) throw fail("bad_request", "A PROPFIND body is a DAV:propfind element");
  const children = childElements(root);
  const first = children[0];
  if (!first) throw fail("bad_request", "DAV:propfind needs prop, allprop or propname");
  if (isDav(first, "propname")) return { kind: "propname" };
  if (isDav(first, "allprop")) {
    const include = children.find((c) => isDav(c, "include"));
    return { kind: "allprop", include: include ? childElements(include).map(qnameOf) : [] };
  }
  if (isDav(first, "prop")) return { kind: "prop", names: childElements(first).map(qnameOf) };
  throw fail("bad_request", "DAV:propfind needs prop, allprop or propname");
}

export interface PropsDeps {
  db: Database;
  files: FilesService;
  props: DavPropertiesRepository;
  locks: LockManager;
}

export class DavProps {
  constructor(private readonly deps: PropsDeps) {}

  /** The live properties an entry has, by local name in DAV: (their XML content). */
  private live(owner: string, e: FsEntryRow, quota: { used: number; available: number } | null): Map<string, string> {
    const m = new Map<string, string>();
    m.set("resourcetype", e.is_dir ? "<D:collection/>" : "");
    if (!e.is_dir) {
      m.set("getcontentlength", String(e.size ?? 0));
      m.set("getcontenttype", escapeXml(e.mime ?? mimeFor(e.name)));
      const etag = etagOf(e);
      if (etag) m.set("getetag", escapeXml(etag));
    }
    m.set("getlastmodified", new Date(e.modified).toUTCString());
    m.set("creationdate", new Date(e.created).toISOString());
    m.set("displayname", escapeXml(e.path === "/" ? "" : e.name));
    m.set("supportedlock", SUPPORTED_LOCK);
    const now = Date.now();
    m.set(
      "lockdiscovery",
      this.deps.locks
        .covering(owner, e.path)
        .map((l) => activeLockXml(l, now))
        .join(""),
    );
    if (e.is_dir && quota) {
      m.set("quota-available-bytes", String(quota.available));
      m.set("quota-used-bytes", String(quota.used));
    }
    return m;
  }

  /** One <D:response> for an entry. */
  response(owner: string, e: FsEntryRow, what: PropfindRequest, quota: { used: number; available: number } | null, dead = this.deps.props.all(owner, e.uid)): string {
    const live = this.live(owner, e, quota);
    const found: string[] = [];
    const missing: string[] = [];
    if (what.kind === "propname") {
      for (const name of live.keys()) found.push(propElement({ ns: DAV, name }, null));
      for (const d of dead) found.push(propElement(d, null));
    } else if (what.kind === "allprop") {
      // RFC 4331: the quota properties are not part of allprop.
      for (const [name, xml] of live) if (!QUOTA.includes(name)) found.push(propElement({ ns: DAV, name }, xml));
      for (const d of dead) found.push(propElement(d, d.xml));
      for (const q of what.include) if (q.ns === DAV && QUOTA.includes(q.name) && live.has(q.name)) found.push(propElement(q, live.get(q.name)!));
    } else {
      const deadBy = new Map(dead.map((d) => [qkey(d), d]));
      for (const q of what.names) {
        const value = q.ns === DAV ? live.get(q.name) : undefined;
        const d = deadBy.get(qkey(q));
        if (value !== undefined) found.push(propElement(q, value));
        else if (d) found.push(propElement(q, d.xml));
        else missing.push(propElement(q, null));
      }
    }
    const propstat = (props: string[], status: number) => (props.length ? `<D:propstat><D:prop>${props.join("")}</D:prop><D:status>${statusLine(status)}</D:status></D:propstat>` : "");
    return `<D:response><D:href>${escapeXml(hrefOf(e.path, e.is_dir === 1))}</D:href>${propstat(found, 200)}${propstat(missing, 404)}</D:response>`;
  }

  /** PROPFIND on `e` (and its members with depth 1). */
  propfind(owner: string, e: FsEntryRow, depth: "0" | "1", what: PropfindRequest): Response {
    const quotaOf = () => {
      const { used } = this.deps.files.quotaOf(owner);
      return { used, available: this.deps.files.available(owner) };
    };
    const quota = e.is_dir ? quotaOf() : null;
    const own = this.response(owner, e, what, quota);
    if (depth === "0" || !e.is_dir) return multistatus([own]);
    // The members' dead properties in one query, not one per member (10,000-entry folders).
    const dead = what.kind === "prop" && what.names.every((q) => q.ns === DAV) ? new Map() : this.deps.props.ofMembers(owner, e.uid);
    return multistatus([own, ...this.deps.files.children(owner, e).map((x) => this.response(owner, x, what, x.is_dir ? quota : null, dead.get(x.uid) ?? []))]);
  }

  /** PROPPATCH: every change applied, or none (the one that failed says why, the rest 424). */
  proppatch(owner: string, e: FsEntryRow, root: Element | null): Response {
    if (!root || !isDav(root, "propertyupdate")) throw fail("bad_request", "A PROPPATCH body is a DAV:propertyupdate element");
    const ops: { op: "set" | "remove"; q: QName; xml: string }[] = [];
    for (const action of childElements(root)) {
      const op = isDav(action, "set") ? "set" : isDav(action, "remove") ? "remove" : null;
      if (!op) throw fail("bad_request", "DAV:propertyupdate holds only set and remove");
      const prop = childElements(action).find((c) => isDav(c, "prop"));
      if (!prop) throw fail("bad_request", `DAV:${op} needs a DAV:prop`);
      for (const p of childElements(prop)) ops.push({ op, q: qnameOf(p), xml: op === "set" ? innerXml(p) : "" });
    }
    const refused = new Map<string, number>();
    const existing = new Set(this.deps.props.all(owner, e.uid).map(qkey));
    let count = existing.size;
    for (const { op, q, xml } of ops) {
      // The DAV: namespace is the protocol's: its properties are computed, not stored.
      if (q.ns === DAV) refused.set(qkey(q), 403);
      else if (op === "set" && Buffer.byteLength(xml) > MAX_PROPERTY_BYTES) refused.set(qkey(q), 507);
      else if (op === "set" && !existing.has(qkey(q))) {
        existing.add(qkey(q));
        if (++count > MAX_PROPERTIES_PER_ENTRY) refused.set(qkey(q), 507);
      }
    }
    if (refused.size === 0)
      transaction(this.deps.db, () => {
        for (const { op, q, xml } of ops) {
          if (op === "set") this.deps.props.set(owner, e.uid, { ...q, xml });
          else this.deps.props.remove(owner, e.uid, q);
        }
      });
    const byStatus = new Map<number, string[]>();
    const seen = new Set<string>();
    for (const { q } of ops) {
      if (seen.has(qkey(q))) continue;
      seen.add(qkey(q));
      const status = refused.size === 0 ? 200 : (refused.get(qkey(q)) ?? 424);
      byStatus.set(status, [...(byStatus.get(status) ?? []), propElement(q, null)]);
    }
    const propstats = [...byStatus].map(([status, props]) => `<D:propstat><D:prop>${props.join("")}</D:prop><D:status>${statusLine(status)}</D:status></D:propstat>`).join("");
    return multistatus([`<D:response><D:href>${escapeXml(hrefOf(e.path, e.is_dir === 1))}</D:href>${propstats}</D:response>`]);
  }

  /** A copy carries the original's dead properties (its whole tree, matched by relative path). */
  copyDead(owner: string, from: FsEntryRow, to: FsEntryRow): void {
    this.deps.props.copy(owner, from.uid, to.uid);
    if (!from.is_dir) return;
    const copies = new Map(this.deps.files.descendants(owner, to).map((d) => [d.path.slice(to.path.length), d.uid]));
    for (const d of this.deps.files.descendants(owner, from)) {
      const target = copies.get(d.path.slice(from.path.length));
      if (target) this.deps.props.copy(owner, d.uid, target);
    }
  }
}
