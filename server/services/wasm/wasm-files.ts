// Files for a WASM run: the caller's files mounted at /input (copies, by name; the app cannot change
// them) and the files the app wrote under /output saved into a folder of the caller's storage, each
// one atomically and indexed and pinned like any upload.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fail, ValidationError } from "../../errors.ts";
import type { FileWriter } from "../files/file-writer.ts";
import type { FilesService } from "../files/files.service.ts";
import { toV1 } from "../files/fs-entry.ts";
import { checkName, joinPath, resolvePath } from "../files/virtual-path.ts";
import type { OutputFile } from "./sandbox-pool.ts";

export interface FileLimits {
  maxInputFiles: number;
  maxInputBytes: number;
  maxOutputFiles: number;
  maxOutputBytes: number;
}

export interface SavedOutput {
  path: string;
  name: string;
  size: number;
  cid: string;
}

export class WasmFiles {
  constructor(
    private readonly files: FilesService,
    private readonly writer: FileWriter,
    private readonly tmpDir: string,
    readonly limits: FileLimits,
  ) {}

  /** Remove what an interrupted run left in the temp folder. */
  sweep(): void {
    rmSync(this.tmpDir, { recursive: true, force: true });
    mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 });
  }

  /**
   * The caller's files (paths in their storage) as /input entries, by unique name: their blob files'
   * paths, or — a small file kept in the database — a private copy in the run's `scratch` folder.
   */
  inputs(owner: string, paths: readonly string[] | undefined, scratch: string): { inputs: { name: string; hostPath: string }[]; bytes: number } {
    if (paths === undefined) return { inputs: [], bytes: 0 };
    if (paths.length > this.limits.maxInputFiles) throw new ValidationError(`files must be a list of at most ${this.limits.maxInputFiles} paths`, { field: "files" });
    const inputs: { name: string; hostPath: string }[] = [];
    let bytes = 0;
    for (const path of paths) {
      const entry = this.files.find(owner, { path });
      if (entry.is_dir || !entry.blob) throw fail("is_a_directory", `${entry.name} is a folder; choose files`);
      if (inputs.some((i) => i.name === entry.name)) throw new ValidationError(`Two input files are named ${entry.name}; /input needs distinct names`, { field: "files" });
      bytes += entry.size ?? 0;
      if (bytes > this.limits.maxInputBytes) throw fail("wasm_input_too_large", `Input files may total at most ${this.limits.maxInputBytes} bytes`);
      const source = this.files.stored(owner, entry);
      let hostPath: string;
      if ("path" in source) hostPath = source.path;
      else {
        // Named apart from the run's outputs (numbered files in the same folder).
        hostPath = join(scratch, `input-${inputs.length}`);
        writeFileSync(hostPath, source.bytes, { mode: 0o600, flag: "wx" });
      }
      inputs.push({ name: entry.name, hostPath });
    }
    return { inputs, bytes };
  }

  /** The folder the outputs will go to (resolved now, so a bad path fails before the run). */
  outputFolder(owner: string, value: string | undefined, app: string): string {
    const stamp = new Date().toISOString().slice(0, 19).replace("T", " ").replace(/:/g, ".");
    const folder = resolvePath(value ?? `~/Documents/WASM output/${app} ${stamp}`, owner);
    const existing = this.files.entryAt(owner, folder);
    if (existing && !existing.is_dir) throw fail("dest_is_not_a_directory", `${existing.name} is a file, not a folder`);
    return folder;
  }

  /** A private host folder for one run's /output files. */
  scratch(): string {
    const dir = join(this.tmpDir, randomBytes(12).toString("hex"));
    mkdirSync(dir, { mode: 0o700 });
    return dir;
  }

  discard(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
  }

  /** Save the run's /output files from `dir` under `folder`; names that clash get " (1)" etc. */
  async save(owner: string, folder: string, dir: string, outputs: OutputFile[]): Promise<SavedOutput[]> {
    const saved: SavedOutput[] = [];
    for (const out of outputs) {
      // Guest names are untrusted: each segment is checked like any client file name.
      const segments = out.name.split("/").map((s) => checkName(s));
      const path = segments.reduce((p, s) => joinPath(p, s), folder);
      const row = await this.writer.write(owner, path, Bun.file(join(dir, String(out.index))).stream(), { createParents: true, overwrite: false, dedupe: true, size: out.size });
      const v1 = toV1(row);
      saved.push({ path: v1.path, name: row.name, size: row.size ?? 0, cid: row.cid ?? "" });
    }
    return saved;
  }
}
