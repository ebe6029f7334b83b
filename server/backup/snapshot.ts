// One consistent moment of a node's data dir, to back up while it keeps serving: blob removals are
// held first, then the database is copied through SQLite's own VACUUM INTO (a read transaction: no
// torn pages, whatever is being written), and the objects are what that copy names — the blob of
// every file in its index, the module of every installed WASM app — plus the identity, the vault
// key and the TLS keys. Uploads in progress, sessions and sign-in nonces are not part of it (nor
// are their bytes: the copy is vacuumed again once they are deleted). Small files' bytes, which
// the node keeps in its database (inline_blobs), leave the copy too and become objects of their
// own under the path a blob file would have: named by their blob, they are immutable, so a backup
// sends each once, where left in the database they would make its every backup differ throughout
// (the restore puts them back: backup-restore.ts).
import { Database } from "bun:sqlite";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import type { Database as NodeDatabase } from "../db/database.ts";
import { InlineBlobs } from "../services/files/inline-blobs.ts";

export type SnapshotObject = {
  /** Where it lives in a data dir, with forward slashes (e.g. "files/0xab…/3f/3f…"). */
  path: string;
} & (
  | {
      /** The file to read it from now. */
      source: string;
    }
  | {
      /** A small file's bytes, kept in the database: its size, and the bytes when they are read. */
      size: number;
      bytes: () => Uint8Array;
    }
);

export interface Snapshot {
  objects: SnapshotObject[];
  /** Drop the database copy and let held removals happen. */
  release(): void;
}

export interface SnapshotOptions {
  db: NodeDatabase;
  dataDir: string;
  /** A folder on the same disk for the database copy (the node's tmp dir). */
  tmpDir: string;
  /** The blob store's hold on removals (released with the snapshot). */
  holdRemovals: () => () => void;
}

/** Files kept as they are, when present. */
const FIXED = ["identity/identity.json", "secrets/vault.key"];

function walk(dir: string, base: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return walk(full, base);
    return e.isFile() && !e.name.startsWith(".") ? [relative(base, full)] : [];
  });
}

function wentDuringBackup(path: string): never {
  throw new Error(`${path} went while it was backed up`);
}

export function takeSnapshot(o: SnapshotOptions): Snapshot {
  const releaseBlobs = o.holdRemovals();
  const copy = join(o.tmpDir, `backup-${randomBytes(6).toString("hex")}.db`);
  try {
    o.db.query("VACUUM INTO ?").run(copy);
    const snap = new Database(copy);
    const objects: SnapshotObject[] = [];
    try {
      // Not part of a restore: half-done uploads (their bytes are not backed up), sessions and nonces.
      snap.exec("DELETE FROM uploads; DELETE FROM sessions; DELETE FROM auth_nonces;");
      const inline = new Map(new InlineBlobs(snap).all().map((b) => [`${b.owner}/${b.blob}`, b.size]));
      const live = new InlineBlobs(o.db);
      snap.exec("DELETE FROM inline_blobs;");
      // Rewritten without them: a deleted row's bytes stay in its page's free space until then, and
      // a copy that differs only there would be sent again whole by the next backup.
      snap.exec("VACUUM");
      for (const r of snap.query<{ owner: string; blob: string }, []>("SELECT DISTINCT owner, blob FROM fs_entries WHERE blob IS NOT NULL ORDER BY owner, blob").all()) {
        const path = `files/${r.owner}/${r.blob.slice(0, 2)}/${r.blob}`;
        const size = inline.get(`${r.owner}/${r.blob}`);
        // Read from the node's database when the backup gets to it: removals are held until then.
        if (size === undefined) objects.push({ path, source: join(o.dataDir, path) });
        else objects.push({ path, size, bytes: () => live.bytes(r.owner, r.blob) ?? wentDuringBackup(path) });
      }
      for (const r of snap.query<{ owner: string; hash: string }, []>("SELECT DISTINCT owner, module_hash AS hash FROM wasm_apps ORDER BY owner, hash").all()) {
        const path = `wasm-apps/${r.owner}/${r.hash}.wasm`;
        if (existsSync(join(o.dataDir, path))) objects.push({ path, source: join(o.dataDir, path) });
      }
    } finally {
      snap.close();
    }
    objects.unshift({ path: "pc2.db", source: copy });
    for (const f of FIXED) if (existsSync(join(o.dataDir, f))) objects.push({ path: f, source: join(o.dataDir, f) });
    for (const f of walk(join(o.dataDir, "tls"), o.dataDir)) objects.push({ path: f.split("\\").join("/"), source: join(o.dataDir, f) });
    return {
      objects,
      release: () => {
        rmSync(copy, { force: true });
        releaseBlobs();
      },
    };
  } catch (err) {
    rmSync(copy, { force: true });
    releaseBlobs();
    throw err;
  }
}
