// A backup destination in a folder the Owner names (a USB disk, a NAS mount): <root>/pc2-backup/
// <Node ID>/chunks/<ab>/<name>.age and sets/<time>.age. Every file is written atomically (temp,
// flush, rename, folder flush), so a backup cut short leaves whole chunks and no half manifest.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicAsync } from "../fs/atomic-write.ts";
import { readFile } from "node:fs/promises";
import { type BackupDestination, checkChunkId, checkSetName, CHUNK_ID, SET_NAME } from "./destination.ts";

export class FolderDestination implements BackupDestination {
  readonly label: string;
  private readonly root: string;

  constructor(folder: string, nodeId: string) {
    if (!/^[1-9A-HJ-NP-Za-km-z]{43,44}$/.test(nodeId)) throw new RangeError("not a Node ID");
    this.root = join(folder, "pc2-backup", nodeId);
    this.label = this.root;
    mkdirSync(join(this.root, "chunks"), { recursive: true, mode: 0o700 });
    mkdirSync(join(this.root, "sets"), { recursive: true, mode: 0o700 });
  }

  private chunkPath(id: string): string {
    checkChunkId(id);
    return join(this.root, "chunks", id.slice(0, 2), `${id}.age`);
  }

  private setPath(name: string): string {
    return join(this.root, "sets", `${checkSetName(name)}.age`);
  }

  async hasChunk(id: string): Promise<boolean> {
    return existsSync(this.chunkPath(id));
  }

  async putChunk(id: string, sealed: Uint8Array): Promise<void> {
    const path = this.chunkPath(id);
    mkdirSync(join(this.root, "chunks", id.slice(0, 2)), { recursive: true, mode: 0o700 });
    await writeFileAtomicAsync(path, sealed, 0o600);
  }

  async getChunk(id: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(this.chunkPath(id)));
  }

  async listChunks(): Promise<string[]> {
    const out: string[] = [];
    for (const prefix of readdirSync(join(this.root, "chunks"))) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const f of readdirSync(join(this.root, "chunks", prefix))) {
        const id = f.replace(/\.age$/, "");
        if (f.endsWith(".age") && CHUNK_ID.test(id)) out.push(id);
      }
    }
    return out;
  }

  async deleteChunk(id: string): Promise<void> {
    rmSync(this.chunkPath(id), { force: true });
  }

  async putSet(name: string, sealedManifest: Uint8Array): Promise<void> {
    await writeFileAtomicAsync(this.setPath(name), sealedManifest, 0o600);
  }

  async getSet(name: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(this.setPath(name)));
  }

  async listSets(): Promise<string[]> {
    return readdirSync(join(this.root, "sets"))
      .filter((f) => f.endsWith(".age") && SET_NAME.test(f.slice(0, -4)))
      .map((f) => f.slice(0, -4))
      .sort();
  }

  async deleteSet(name: string): Promise<void> {
    rmSync(this.setPath(name), { force: true });
  }

  /**
   * Temp files a killed backup left behind (never visible as chunks or sets). Only while no backup
   * writes here: the caller holds the same turn as backups (pruning does).
   */
  /** The bytes a stored chunk or set takes (0 when there is none): what a host counts against an allowance. */
  storedBytes(kind: "chunk" | "set", name: string): number {
    const path = kind === "chunk" ? this.chunkPath(name) : this.setPath(name);
    return existsSync(path) ? statSync(path).size : 0;
  }

  /** Every byte under this destination's folder (chunks, sets, temp files). */
  totalBytes(): number {
    const sum = (dir: string): number =>
      readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? sum(join(dir, e.name)) : e.isFile() ? statSync(join(dir, e.name)).size : 0), 0);
    return sum(this.root);
  }

  /** Delete every set and chunk and the folder itself. */
  removeAll(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  async sweepTemp(): Promise<number> {
    let removed = 0;
    const sweep = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory() && dir.endsWith("chunks")) sweep(join(dir, e.name));
        else if (e.isFile() && e.name.startsWith(".") && e.name.endsWith(".tmp")) {
          rmSync(join(dir, e.name), { force: true });
          removed++;
        }
      }
    };
    sweep(join(this.root, "chunks"));
    sweep(join(this.root, "sets"));
    return removed;
  }
}
