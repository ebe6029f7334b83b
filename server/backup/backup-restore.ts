// Restoring a backup set onto a machine that has only the phrase: the keys come from the phrase,
// the manifest must carry this node's signature, every chunk must open and name itself, and every
// object must have its size and SHA-256. All of it is written into a staging folder beside the
// target, flushed, and only then renamed into place: a restore cut short never becomes a data dir.
import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { durable } from "../fs/durable-steps.ts";
import { restoreInlineBlobs } from "./inline-restore.ts";
import type { BackupKeys } from "./backup-keys.ts";
import { type BackupManifest, type ManifestObject, readManifest } from "./backup-manifest.ts";
import type { BackupDestination } from "./destination.ts";
import { BackupIntegrityError, openChunk } from "./sealed-chunks.ts";
import { sealPool } from "./seal-pool.ts";

export class RestoreRefused extends Error {}

/** A manifest path must stay inside the data dir: relative, no "..", no empty parts. */
const SAFE_PATH = /^(?!\/)(?:[A-Za-z0-9._-]+\/)*[A-Za-z0-9._-]+$/;

export async function readSet(destination: BackupDestination, keys: BackupKeys & { nodeId: string }, setName?: string): Promise<{ name: string; manifest: BackupManifest }> {
  const sets = await destination.listSets();
  const name = setName ?? sets.at(-1);
  if (!name || !sets.includes(name)) throw new RestoreRefused(setName ? `no backup set ${setName} at ${destination.label}` : `no backup of ${keys.nodeId} at ${destination.label}`);
  const sealed = await destination.getSet(name);
  let document: Uint8Array;
  try {
    document = await sealPool.open(keys.identity, sealed);
  } catch {
    throw new BackupIntegrityError("the backup set cannot be opened with this phrase, or it was damaged");
  }
  return { name, manifest: readManifest(document, keys.nodeId) };
}

/**
 * Every piece of `objects`, in order, opened and checked (each chunk's name); the next chunk is
 * fetched and opened in the sealing worker while the consumer handles the current one (one ahead
 * per worker: more measured faster but held more than a restore's 100 MB). After an
 * object's last piece its size and SHA-256 are checked, and a mismatch throws instead of going on:
 * a consumer that stores pieces as they come never completes an object that does not match.
 */
export async function* objectsPieces(
  destination: BackupDestination,
  keys: Pick<BackupKeys, "identity" | "idKey">,
  objects: ManifestObject[],
): AsyncGenerator<{ obj: ManifestObject; piece: Uint8Array; last: boolean }> {
  const order = objects.flatMap((obj) => obj.chunks.map((id, i) => ({ obj, id, last: i === obj.chunks.length - 1 })));
  const ahead: Promise<Uint8Array>[] = [];
  let next = 0;
  const fill = () => {
    while (ahead.length < sealPool.size && next < order.length) {
      const { id } = order[next++]!;
      const opened = destination.getChunk(id).then((sealed) => openChunk(keys, id, sealed));
      opened.catch(() => {}); // observed when its turn comes
      ahead.push(opened);
    }
  };
  let hash = createHash("sha256");
  let size = 0;
  let sinceGc = 0;
  try {
    fill();
    for (const { obj, last } of order) {
      const piece = await ahead.shift()!;
      fill();
      hash.update(piece);
      size += piece.length;
      if (last) {
        if (size !== obj.size || hash.digest("hex") !== obj.sha256) throw new BackupIntegrityError(`${obj.path} does not match its manifest (size or SHA-256)`);
        hash = createHash("sha256");
        size = 0;
      }
      yield { obj, piece, last };
      // Each piece is its size in garbage once handled (and more in flight): collect after every
      // 4 MiB, or a restore of a big node grows the process by far more than it holds.
      sinceGc += piece.length;
      if (sinceGc >= 4 * 1024 * 1024) {
        sinceGc = 0;
        Bun.gc(true);
      }
    }
  } finally {
    // Stopped early (an error, a consumer that gave up): let what is in flight finish quietly.
    await Promise.allSettled(ahead);
  }
}

/** Every piece of one object, checked as objectsPieces does. */
export async function* objectPieces(destination: BackupDestination, keys: Pick<BackupKeys, "identity" | "idKey">, obj: ManifestObject): AsyncGenerator<Uint8Array> {
  for await (const { piece } of objectsPieces(destination, keys, [obj])) yield piece;
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
  let fd: number | null = null;
  try {
    for await (const { obj, piece, last } of objectsPieces(o.destination, o.keys, manifest.objects)) {
      const path = join(staging, obj.path);
      if (fd === null) {
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        fd = openSync(path, "wx", 0o600);
      }
      for (let off = 0; off < piece.length; ) off += writeSync(fd, piece, off, piece.length - off);
      bytes += piece.length;
      if (last) {
        durable.syncFd(fd, path);
        closeSync(fd);
        fd = null;
      }
    }
    for (const dir of new Set(manifest.objects.map((obj) => dirname(join(staging, obj.path))))) durable.fsyncDir(dir);
    restoreInlineBlobs(
      staging,
      manifest.objects.map((obj) => obj.path),
    );
    if (existsSync(o.targetDir)) {
      if (o.force) rmSync(o.targetDir, { recursive: true, force: true });
      else rmdirSync(o.targetDir);
    }
    renameSync(staging, o.targetDir);
    durable.fsyncDir(dirname(o.targetDir));
  } catch (err) {
    if (fd !== null) closeSync(fd);
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  return { set: name, objects: manifest.objects.length, bytes };
}

/** Read a whole set back without writing anything: every chunk opens and every object matches. */
export async function verifyBackup(destination: BackupDestination, keys: BackupKeys & { nodeId: string }, setName?: string): Promise<{ set: string; objects: number; bytes: number; chunks: number }> {
  const { name, manifest } = await readSet(destination, keys, setName);
  let bytes = 0;
  for await (const { piece } of objectsPieces(destination, keys, manifest.objects)) bytes += piece.length;
  return { set: name, objects: manifest.objects.length, bytes, chunks: manifest.objects.reduce((n, obj) => n + obj.chunks.length, 0) };
}
