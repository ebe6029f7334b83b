// Builds the sample WASM apps (scripts/wasm-apps/*/index.ts) and test fixtures from source with
// AssemblyScript + the WASI shim: dist/wasm-apps/<name>.wasm, dist/wasm-fixtures/<name>.wasm.
// Runs at install (postinstall), in `npm test` and in the binary build; an output newer than its
// sources is kept.
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const ASC = join(ROOT, "node_modules", "assemblyscript", "bin", "asc.js");
// asc finds scripts/wasm-apps/asconfig.json (which extends the WASI shim's) from its working directory;
// passing it with --config fails in assemblyscript 0.28 ("Element 'wasi_abort' not found").
const CONFIG_DIR = join(ROOT, "scripts", "wasm-apps");
/** Sources every module depends on, besides its own. */
const SHARED = ["asconfig.json", "fs.ts", "stdin.ts"].map((f) => join(CONFIG_DIR, f));

function upToDate(source: string, out: string): boolean {
  if (!existsSync(out)) return false;
  const built = statSync(out).mtimeMs;
  return [source, ...SHARED].every((f) => statSync(f).mtimeMs < built);
}

async function compile(source: string, out: string): Promise<void> {
  if (upToDate(source, out)) return;
  const proc = Bun.spawn([process.execPath, ASC, source, "-o", out], { cwd: CONFIG_DIR, stdout: "inherit", stderr: "inherit" });
  if ((await proc.exited) !== 0) throw new Error(`asc failed for ${source}`);
}

function jobs(): [source: string, out: string][] {
  const apps = join(ROOT, "scripts", "wasm-apps");
  const fixtures = join(ROOT, "test", "fixtures", "wasm");
  return [
    ...readdirSync(apps, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(apps, d.name, "index.ts")))
      .map((d): [string, string] => [join(apps, d.name, "index.ts"), join(ROOT, "dist", "wasm-apps", `${d.name}.wasm`)]),
    ...readdirSync(fixtures)
      .filter((f) => f.endsWith(".ts"))
      .map((f): [string, string] => [join(fixtures, f), join(ROOT, "dist", "wasm-fixtures", f.replace(/\.ts$/, ".wasm"))]),
  ];
}

export async function buildWasmApps(): Promise<string[]> {
  mkdirSync(join(ROOT, "dist", "wasm-apps"), { recursive: true });
  mkdirSync(join(ROOT, "dist", "wasm-fixtures"), { recursive: true });
  const queue = jobs();
  const built = queue.map(([, out]) => out);
  await Promise.all(
    Array.from({ length: availableParallelism() }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await compile(...job);
    }),
  );
  return built;
}

if (import.meta.main) {
  const built = await buildWasmApps();
  console.log(`${built.length} WASM modules ready in dist/`);
}
