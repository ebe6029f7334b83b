// Restoring a backup set onto a machine that has only the phrase: the keys come from the phrase,
// the manifest must carry this node's signature, every chunk must open and name itself, and every
// object must have its size and SHA-256. All of it is written into a staging folder beside the
// target, flushed, and only then renamed into place: a restore cut short never becomes a data dir.
import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { Decrypter } from "age-encryption";
import { durable } from "../fs/durable-steps.ts";
import type { BackupKeys } from "./backup-keys.ts";
import { type BackupManifest, type ManifestObject, readManifest } from "./backup-manifest.ts";
import type { BackupDestination } from "./destination.ts";
import { BackupIntegrityError, openChunk } from "./sealed-chunks.ts";

export class RestoreRefused extends Error {}

/** A manifest path must stay inside the data dir: relative, no "..", no empty parts. */
const SAFE_PATH = /^(?!\/)(?:[A-Za-z0-9._-]+\/)*[A-Za-z0-9._-]+$/;

export async function readSet(destination: BackupDestination, keys: BackupKeys & { nodeId: string }, setName?: string): Promise<{ name: string; manifest: BackupManifest }> {
  const sets = await destination.listSets();
  const name = setName ?? sets.at(-1);
  if (!name || !sets.includes(name)) throw new RestoreRefused(setName ? `no backup set ${setName} at ${destination.label}` : `no backup of ${keys.nodeId} at ${destination.label}`);
  const d = new Decrypter();
  d.addIdentity(keys.identity);
  let document: Uint8Array;
  try {
    document = await d.decrypt(await destination.getSet(name));
  } catch {
    throw new BackupIntegrityError("the backup set cannot be opened with this phrase, or it was damaged");
  }
  return { name, manifest: readManifest(document, keys.nodeId) };
}

/** Pieces opened so far by this process (a collection every few; see objectPieces). */
let openedPieces = 0;

/**
 * Every piece of one object, opened and checked (each chunk's name), in order; after the last one,
 * the object's size and SHA-256 are checked, and a mismatch throws instead of ending: a consumer
 * that stores the pieces as they come never commits an object that does not match its manifest.
 */
export async function* objectPieces(destination: BackupDestination, keys: Pick<BackupKeys, "identity" | "idKey">, obj: ManifestObject): AsyncGenerator<Uint8Array> {
  const hash = createHash("sha256");
  let size = 0;
  for (const id of obj.chunks) {
    const piece = await openChunk(keys, id, await destination.getChunk(id));
    hash.update(piece);
    size += piece.length;
    yield piece;
    // Pieces are garbage at once: collect every few rather than let them pile up.
    if (++openedPieces % 8 === 0) Bun.gc(true);
  }
  if (size !== obj.size || hash.digest("hex") !== obj.sha256) throw new BackupIntegrityError(`${obj.path} does not match its manifest (size or SHA-256)`);
}

/** Every piece of one object handed to `sink` in order (checked as objectPieces does). Returns its size. */
async function readObject(destination: BackupDestination, keys: BackupKeys, obj: ManifestObject, sink: (piece: Uint8Array) => void): Promise<number> {
  let size = 0;
  for await (const piece of objectPieces(destination, keys, obj)) {
    sink(piece);
    size += piece.length;
  }
  return size;
}

export interface RestoreOptions {
  destination: BackupDestination;
  keys: BackupKeys & { nodeId: string };
  setName?: string;
  /** The data dir to create. */
  targetDir: string;
  /** Replace a data dir that is not empty. */
  force?: boolean;
}

function isEmptyDir(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

export async function restoreBackup(o: RestoreOptions): Promise<{ set: string; objects: number; bytes: number }> {
  if (!o.force && !isEmptyDir(o.targetDir)) throw new RestoreRefused(`${o.targetDir} is not empty: restore into an empty data dir, or force it`);
  const { name, manifest } = await readSet(o.destination, o.keys, o.setName);
  for (const obj of manifest.objects)
    if (!SAFE_PATH.test(obj.path) || obj.path.split("/").includes("..")) throw new BackupIntegrityError(`the manifest names a path outside the data dir: ${obj.path.slice(0, 100)}`);
  const base = o.targetDir.replace(/\/+$/, "");
  // A restore that was killed left its staging folder: it never became a data dir; clear it.
  const parent = dirname(base);
  if (existsSync(parent)) for (const n of readdirSync(parent)) if (n.startsWith(`${basename(base)}.restoring-`)) rmSync(join(parent, n), { recursive: true, force: true });
  const staging = `${base}.restoring-${randomBytes(4).toString("hex")}`;
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  let bytes = 0;
  try {
    for (const obj of manifest.objects) {
      const path = join(staging, obj.path);
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const fd = openSync(path, "wx", 0o600);
      let written: number;
      try {
        written = await readObject(o.destination, o.keys, obj, (piece) => {
          for (let off = 0; off < piece.length; ) off += writeSync(fd, piece, off, piece.length - off);
        });
        durable.syncFd(fd, path);
      } finally {
        closeSync(fd);
      }
      bytes += written;
    }
    for (const dir of new Set(manifest.objects.map((obj) => dirname(join(staging, obj.path))))) durable.fsyncDir(dir);
    if (existsSync(o.targetDir)) {
      if (o.force) rmSync(o.targetDir, { recursive: true, force: true });
      else rmdirSync(o.targetDir);
    }
    renameSync(staging, o.targetDir);
    durable.fsyncDir(dirname(o.targetDir));
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  return { set: name, objects: manifest.objects.length, bytes };
}

/** Read a whole set back without writing anything: every chunk opens and every object matches. */
export async function verifyBackup(destination: BackupDestination, keys: BackupKeys & { nodeId: string }, setName?: string): Promise<{ set: string; objects: number; bytes: number; chunks: number }> {
  const { name, manifest } = await readSet(destination, keys, setName);
  let bytes = 0;
  for (const obj of manifest.objects) bytes += await readObject(destination, keys, obj, () => {});
  return { set: name, objects: manifest.objects.length, bytes, chunks: manifest.objects.reduce((n, obj) => n + obj.chunks.length, 0) };
}
