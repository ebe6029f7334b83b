// Dead properties (migration 0012): what PROPPATCH set on an entry, by its uid, scoped by wallet.
import type { Database } from "bun:sqlite";
import type { QName } from "./dav-xml.ts";

export interface DeadProperty extends QName {
  /** The property's content, as the XML the client sent. */
  xml: string;
}

/** At most this many dead properties on one entry, and this much XML in one. */
export const MAX_PROPERTIES_PER_ENTRY = 256;
export const MAX_PROPERTY_BYTES = 64 * 1024;

export class DavPropertiesRepository {
  constructor(private readonly db: Database) {}

  all(owner: string, uid: string): DeadProperty[] {
    return this.db.query<DeadProperty, [string, string]>("SELECT ns, name, xml FROM dav_properties WHERE owner = ? AND uid = ? ORDER BY ns, name").all(owner, uid);
  }

  /** The dead properties of a folder's members, in one query (PROPFIND depth 1), by uid. */
  ofMembers(owner: string, parentUid: string): Map<string, DeadProperty[]> {
    const rows = this.db
      .query<DeadProperty & { uid: string }, [string, string]>(
        "SELECT p.uid, p.ns, p.name, p.xml FROM dav_properties p JOIN fs_entries e ON e.uid = p.uid WHERE p.owner = ?1 AND e.owner = ?1 AND e.parent_uid = ?2 ORDER BY p.ns, p.name",
      )
      .all(owner, parentUid);
    const out = new Map<string, DeadProperty[]>();
    for (const { uid, ...p } of rows) out.set(uid, [...(out.get(uid) ?? []), p]);
    return out;
  }

  count(owner: string, uid: string): number {
    return this.db.query<{ n: number }, [string, string]>("SELECT count(*) AS n FROM dav_properties WHERE owner = ? AND uid = ?").get(owner, uid)!.n;
  }

  set(owner: string, uid: string, p: DeadProperty): void {
    this.db
      .query("INSERT INTO dav_properties (owner, uid, ns, name, xml) VALUES (?, ?, ?, ?, ?) ON CONFLICT (owner, uid, ns, name) DO UPDATE SET xml = excluded.xml")
      .run(owner, uid, p.ns, p.name, p.xml);
  }

  remove(owner: string, uid: string, q: QName): void {
    this.db.query("DELETE FROM dav_properties WHERE owner = ? AND uid = ? AND ns = ? AND name = ?").run(owner, uid, q.ns, q.name);
  }

  /** A copy's properties are the original's. */
  copy(owner: string, fromUid: string, toUid: string): void {
    this.db.query("INSERT OR REPLACE INTO dav_properties (owner, uid, ns, name, xml) SELECT owner, ?, ns, name, xml FROM dav_properties WHERE owner = ? AND uid = ?").run(toUid, owner, fromUid);
  }
}
