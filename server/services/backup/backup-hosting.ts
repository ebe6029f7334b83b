// Keeping a friend's backups: the Owner grants another node (by its Node ID) a storage allowance;
// that node then stores its sealed chunks and manifests here through signed requests (see
// peer-protocol.ts) and nothing else. Everything it stores is age-encrypted to a key only its
// recovery phrase gives: this node holds bytes it cannot read, counts them against the allowance,
// and deletes them when the Owner takes the allowance back.
import { join } from "node:path";
import type { KeyPair } from "../../boson/keys.ts";
import { Id, InvalidIdError } from "../../boson/id.ts";
import type { Database } from "../../db/database.ts";
import { fail } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { FolderDestination } from "../../backup/folder-destination.ts";
import { checkRequest, CLOCK_SKEW_MS, NonceLedger, PEER_HEADER, signAnswer } from "../../backup/peer-protocol.ts";

export interface BackupGuest {
  nodeId: string;
  label: string;
  allowanceBytes: number;
  usedBytes: number;
  grantedBy: string;
  grantedAt: string;
  lastSeenAt: string | null;
}

interface GuestRow {
  node_id: string;
  label: string;
  allowance_bytes: number;
  granted_by: string;
  granted_at: number;
  last_seen_at: number | null;
}

/** A guest's request, checked: who sent it and where its backups live here. */
export interface GuestContext {
  nodeId: string;
  nonce: string;
  allowanceBytes: number;
  store: FolderDestination;
  /** Bytes stored now (chunks, sets and temp files). */
  used(): number;
  /** Record a change in stored bytes. */
  add(delta: number): void;
}

export interface BackupHostingDeps {
  db: Database;
  dataDir: string;
  keys: () => KeyPair;
  log: Logger;
}

export class BackupHosting {
  private readonly nonces = new NonceLedger();
  /** Bytes stored per guest, read from disk once and then kept up to date. */
  private readonly usage = new Map<string, number>();
  /** Each guest's folder, opened (and its folders made) once. */
  private readonly stores = new Map<string, FolderDestination>();

  constructor(private readonly d: BackupHostingDeps) {}

  get log(): Logger {
    return this.d.log;
  }

  private get folder(): string {
    return join(this.d.dataDir, "backup-hosted");
  }

  private storeOf(nodeId: string): FolderDestination {
    let store = this.stores.get(nodeId);
    if (!store) this.stores.set(nodeId, (store = new FolderDestination(this.folder, nodeId)));
    return store;
  }

  private usedBy(nodeId: string): number {
    let used = this.usage.get(nodeId);
    if (used === undefined) this.usage.set(nodeId, (used = this.storeOf(nodeId).totalBytes()));
    return used;
  }

  private row(nodeId: string): GuestRow | null {
    return this.d.db.query<GuestRow, [string]>("SELECT * FROM backup_guests WHERE node_id = ?").get(nodeId);
  }

  private toGuest(r: GuestRow): BackupGuest {
    return {
      nodeId: r.node_id,
      label: r.label,
      allowanceBytes: r.allowance_bytes,
      usedBytes: this.usedBy(r.node_id),
      grantedBy: r.granted_by,
      grantedAt: new Date(r.granted_at).toISOString(),
      lastSeenAt: r.last_seen_at ? new Date(r.last_seen_at).toISOString() : null,
    };
  }

  list(): BackupGuest[] {
    return this.d.db
      .query<GuestRow, []>("SELECT * FROM backup_guests ORDER BY granted_at")
      .all()
      .map((r) => this.toGuest(r));
  }

  /** Give `nodeIdText` an allowance here, or change its label and allowance (lowering it below what is stored stops new writes, deletes nothing). */
  grant(nodeIdText: string, label: string, allowanceBytes: number, by: string): BackupGuest {
    const nodeId = parseNodeId(nodeIdText);
    if (nodeId === this.d.keys().id.toString()) throw fail("invalid_request", "A node cannot keep its own backups: choose a folder on another disk, or a friend's node");
    this.d.db
      .query(
        `INSERT INTO backup_guests (node_id, label, allowance_bytes, granted_by, granted_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(node_id) DO UPDATE SET label = excluded.label, allowance_bytes = excluded.allowance_bytes`,
      )
      .run(nodeId, label, allowanceBytes, by, Date.now());
    return this.toGuest(this.row(nodeId)!);
  }

  /** Take the allowance back and delete everything that node stored here. */
  revoke(nodeIdText: string): { deletedBytes: number } {
    const nodeId = parseNodeId(nodeIdText);
    if (!this.row(nodeId)) throw fail("backup_guest_not_found");
    const deletedBytes = this.usedBy(nodeId);
    this.d.db.query("DELETE FROM backup_guests WHERE node_id = ?").run(nodeId);
    this.storeOf(nodeId).removeAll();
    this.stores.delete(nodeId);
    this.usage.delete(nodeId);
    return { deletedBytes };
  }

  /**
   * Before a body is read: the request claims to come from a node with an allowance here, for this
   * node, now. (The signature, which covers the body, is checked by admit once it is read.)
   */
  precheck(request: Request): { nodeId: string; allowanceBytes: number; room: (kind: "chunk" | "set", name: string) => number } {
    const from = request.headers.get(PEER_HEADER.from) ?? "";
    const time = Number(request.headers.get(PEER_HEADER.time) ?? "");
    if (request.headers.get(PEER_HEADER.to) !== this.d.keys().id.toString()) throw fail("peer_auth_failed", "Refused: the request is not a signed backup request for this node");
    if (!Number.isFinite(time) || Math.abs(time - Date.now()) > CLOCK_SKEW_MS) throw fail("peer_auth_failed", "Refused: the request's time is too far from this node's clock (check both clocks)");
    const row = this.row(from);
    if (!row) throw fail("backup_guest_unknown");
    return { nodeId: row.node_id, allowanceBytes: row.allowance_bytes, room: (kind, name) => this.roomFor(row, kind, name) };
  }

  /** How many bytes `kind` `name` may take for this guest: what is left of the allowance, plus what the same name takes now. */
  private roomFor(row: GuestRow, kind: "chunk" | "set", name: string): number {
    return Math.max(0, row.allowance_bytes - this.usedBy(row.node_id) + this.storeOf(row.node_id).storedBytes(kind, name));
  }

  /** The header that signs this node's answer to the request with `nonce`. */
  signAnswer(nonce: string, status: number, body: Uint8Array): string {
    return signAnswer(this.d.keys(), nonce, status, body);
  }

  /**
   * Check a guest's signed request: valid signature for this node, fresh, never seen before, and
   * from a node the Owner granted an allowance. Throws the reason otherwise.
   */
  admit(request: Request, path: string, body: Uint8Array): GuestContext {
    const check = checkRequest(this.d.keys().id.toString(), request.headers, request.method, path, body);
    if (!check.ok) throw fail("peer_auth_failed", `Refused: ${check.reason}`);
    const row = this.row(check.from);
    if (!row) throw fail("backup_guest_unknown");
    const seen = this.nonces.admit(check.from, check.nonce);
    if (seen === "replay") throw fail("peer_auth_failed", "Refused: this request was already received once (a replay)");
    if (seen === "full") throw fail("too_many_requests", "Too many requests from this node in the last minutes; try again shortly");
    this.d.db.query("UPDATE backup_guests SET last_seen_at = ? WHERE node_id = ?").run(Date.now(), check.from);
    const nodeId = check.from;
    return {
      nodeId,
      nonce: check.nonce,
      allowanceBytes: row.allowance_bytes,
      store: this.storeOf(nodeId),
      used: () => this.usedBy(nodeId),
      add: (delta) => this.usage.set(nodeId, this.usedBy(nodeId) + delta),
    };
  }
}

export function parseNodeId(text: string): string {
  try {
    return Id.parse(text).toString();
  } catch (err) {
    if (err instanceof InvalidIdError) throw fail("invalid_node_id", `Not a Node ID: ${err.message}`);
    throw err;
  }
}
