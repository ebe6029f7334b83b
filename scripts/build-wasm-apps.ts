// Builds the sample WASM apps (scripts/wasm-apps/*/index.ts) and test fixtures from source with
// AssemblyScript + the WASI shim: dist/wasm-apps/<name>.wasm, dist/wasm-fixtures/<name>.wasm.
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const ASC = join(ROOT, "node_modules", "assemblyscript", "bin", "asc.js");
// asc finds scripts/wasm-apps/asconfig.json (which extends the WASI shim's) from its working directory;
// passing it with --config fails in assemblyscript 0.28 ("Element 'wasi_abort' not found").
const CONFIG_DIR = join(ROOT, "scripts", "wasm-apps");

async function compile(source: string, out: string): Promise<void> {
  const proc = Bun.spawn([process.execPath, ASC, source, "-o", out], { cwd: CONFIG_DIR, stdout: "inherit", stderr: "inherit" });
  if ((await proc.exited) !== 0) throw new Error(`asc failed for ${source}`);
}

export async function buildWasmApps(): Promise<string[]> {
  const built: string[] = [];
  const apps = join(ROOT, "scripts", "wasm-apps");
  mkdirSync(join(ROOT, "dist", "wasm-apps"), { recursive: true });
  for (const name of readdirSync(apps, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(apps, d.name, "index.ts"))).map((d) => d.name)) {
    const out = join(ROOT, "dist", "wasm-apps", `${name}.wasm`);
    await compile(join(apps, name, "index.ts"), out);
    built.push(out);
  }
  const fixtures = join(ROOT, "test", "fixtures", "wasm");
  mkdirSync(join(ROOT, "dist", "wasm-fixtures"), { recursive: true });
  for (const file of readdirSync(fixtures).filter((f) => f.endsWith(".ts"))) {
    const out = join(ROOT, "dist", "wasm-fixtures", file.replace(/\.ts$/, ".wasm"));
    await compile(join(fixtures, file), out);
    built.push(out);
  }
  return built;
}

if (import.meta.main) {
  const built = await buildWasmApps();
  console.log(`built ${built.length} WASM modules`);
}
