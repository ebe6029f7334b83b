// Installed WASM apps, per wallet: the manifest in SQLite, the validated module in
// data/wasm-apps/<owner>/<sha256>.wasm (written atomically before the row points at it).
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.ts";
import { ensurePrivateDir, writeFileAtomic } from "../../fs/atomic-write.ts";
import { APP_NAME, parseManifest, type AppManifest } from "./app-manifest.ts";
import { prepareModule } from "./module-check.ts";
import { SAMPLE_MANIFESTS } from "./sample-apps.ts";
import type { WasmAppRow, WasmAppsRepository } from "./wasm-apps.repository.ts";

export interface AppInfo extends AppManifest {
  builtin: boolean;
  size: number | null;
  updatedAt: string | null;
}

function info(row: WasmAppRow): AppInfo {
  return { name: row.name, description: row.description, icon: row.icon, args: JSON.parse(row.args), builtin: false, size: row.module_size, updatedAt: new Date(row.updated_at).toISOString() };
}

/** A module known by its content hash, read only when needed. */
export interface ModuleRef {
  hash: string;
  bytes(): Promise<Uint8Array>;
}

export const sha256 = (bytes: Uint8Array) => new Bun.CryptoHasher("sha256").update(bytes).digest("hex");

export class WasmRegistry {
  /** Sample apps are files of this build: each one's hash is computed once. */
  private readonly sampleHashes = new Map<string, string>();
  constructor(
    private readonly repo: WasmAppsRepository,
    private readonly dir: string,
    /** Sample apps: name → .wasm file. */
    private readonly samples: Record<string, string>,
    private readonly maxModuleBytes: number,
    /** Refuse storing `bytes` more for `owner` past their quota (installed modules count like files). */
    private readonly reserve: (owner: string, bytes: number, what: string) => void = () => undefined,
  ) {}

  private moduleFile(owner: string, hash: string): string {
    return join(this.dir, owner, `${hash}.wasm`);
  }

  /** The sample apps, then `owner`'s own. */
  list(owner: string): AppInfo[] {
    const samples = Object.keys(this.samples)
      .sort()
      .map((name) => ({ name, ...(SAMPLE_MANIFESTS[name] ?? { description: "", icon: null, args: [] }), builtin: true, size: null, updatedAt: null }));
    return [...samples, ...this.repo.list(owner).map(info)];
  }

  /**
   * The module of the app `name` as `owner` sees it (a sample app or one of theirs): its content
   * hash, known without reading it (installed apps are stored by hash; a sample's is computed once),
   * and a way to read it, needed only when the prepared module is not cached yet.
   */
  module(owner: string, name: string): ModuleRef {
    const sample = Object.hasOwn(this.samples, name) ? this.samples[name] : undefined;
    if (sample) {
      let hash = this.sampleHashes.get(sample);
      if (!hash) this.sampleHashes.set(sample, (hash = sha256(readFileSync(sample))));
      return { hash, bytes: async () => new Uint8Array(await Bun.file(sample).arrayBuffer()) };
    }
    const row = APP_NAME.test(name) ? this.repo.get(owner, name) : null;
    if (!row) throw new NotFoundError(`No app named ${name.slice(0, 64)}`, "wasm_app_not_found");
    const file = this.moduleFile(owner, row.module_hash);
    return { hash: row.module_hash, bytes: async () => new Uint8Array(await Bun.file(file).arrayBuffer()) };
  }

  /** Install (`replace` false) or update (`replace` true) an app from a manifest and, for installs, a module. */
  put(owner: string, rawManifest: unknown, module: Uint8Array | null, replace: boolean, nameInPath?: string): AppInfo {
    const manifest = parseManifest(rawManifest);
    if (nameInPath !== undefined && manifest.name !== nameInPath)
      throw new ConflictError("The manifest's name differs from the app being updated; remove and install to rename", "wasm_app_name_mismatch");
    if (Object.hasOwn(this.samples, manifest.name)) throw new ConflictError(`${manifest.name} is a built-in app; choose another name`, "wasm_app_exists");
    const existing = this.repo.get(owner, manifest.name);
    if (!replace && existing) throw new ConflictError(`An app named ${manifest.name} is installed already; update it instead`, "wasm_app_exists");
    if (replace && !existing) throw new NotFoundError(`No app named ${manifest.name}`, "wasm_app_not_found");
    let hash = existing?.module_hash;
    let size = existing?.module_size;
    if (module) {
      // Validated as it would be run (the memory cap does not matter here; it is applied per run).
      prepareModule(module, 1, this.maxModuleBytes);
      hash = sha256(module);
      size = module.length;
      const file = this.moduleFile(owner, hash);
      const grows = !this.repo.usesModule(owner, hash) ? size - (existing && !this.sharedModule(owner, existing.module_hash, manifest.name) ? existing.module_size : 0) : 0;
      if (grows > 0) this.reserve(owner, grows, "This app");
      ensurePrivateDir(join(this.dir, owner));
      if (!existsSync(file)) writeFileAtomic(file, module);
    }
    if (!hash || !size) throw new ValidationError("Send the app's module (.wasm)", { field: "module" });
    const now = Date.now();
    this.repo.put({
      owner,
      name: manifest.name,
      description: manifest.description,
      icon: manifest.icon,
      args: JSON.stringify(manifest.args),
      module_hash: hash,
      module_size: size,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    });
    if (existing && existing.module_hash !== hash) this.dropModuleIfUnused(owner, existing.module_hash);
    return info(this.repo.get(owner, manifest.name)!);
  }

  /** Whether another of `owner`'s apps than `name` uses the module `hash`. */
  private sharedModule(owner: string, hash: string, name: string): boolean {
    return this.repo.list(owner).some((a) => a.module_hash === hash && a.name !== name);
  }

  remove(owner: string, name: string): void {
    const row = APP_NAME.test(name) ? this.repo.get(owner, name) : null;
    if (!row || !this.repo.delete(owner, name)) throw new NotFoundError(`No app named ${name.slice(0, 64)}`, "wasm_app_not_found");
    this.dropModuleIfUnused(owner, row.module_hash);
  }

  private dropModuleIfUnused(owner: string, hash: string): void {
    if (!this.repo.usesModule(owner, hash)) rmSync(this.moduleFile(owner, hash), { force: true });
  }

  /** Delete module files no app points at (left by a crash between writing a module and its row). */
  sweep(): number {
    if (!existsSync(this.dir)) return 0;
    const wanted = new Set(this.repo.modules().map((m) => `${m.owner}/${m.module_hash}.wasm`));
    let removed = 0;
    for (const owner of readdirSync(this.dir)) {
      for (const file of readdirSync(join(this.dir, owner))) {
        if (!wanted.has(`${owner}/${file}`)) rmSync(join(this.dir, owner, file), { force: true }), removed++;
      }
    }
    return removed;
  }
}
