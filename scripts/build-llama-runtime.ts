// Packs what node-llama-cpp needs at run time into dist/llama-runtime.zip, for the single binary
// (which unpacks it into data/runtime/ on first use; server/services/ai/llama-runtime.ts):
//   node-llama-cpp/dist/index.js     node-llama-cpp and its dependencies, bundled into one module
//   node-llama-cpp/package.json      read by node-llama-cpp for its version
//   node-llama-cpp/llama/…           its metadata files (not the 34 MB llama.cpp source bundle)
//   node-llama-cpp/bins/linux-x64/   the prebuilt addon and llama.cpp libraries, found there first
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { zipSync, type Zippable } from "fflate";

const ROOT = join(import.meta.dir, "..");
const PKG = join(ROOT, "node_modules", "node-llama-cpp");
const PREBUILT = join(ROOT, "node_modules", "@node-llama-cpp", "linux-x64", "bins", "linux-x64");
export const LLAMA_RUNTIME_ZIP = join(ROOT, "dist", "llama-runtime.zip");

function files(dir: string, skip: (path: string) => boolean = () => false): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (skip(full)) return [];
    return statSync(full).isDirectory() ? files(full, skip) : [full];
  });
}

export async function buildLlamaRuntime(): Promise<string> {
  if (!existsSync(join(PREBUILT, "llama-addon.node"))) throw new Error(`node-llama-cpp's linux-x64 prebuilt binary is missing (${PREBUILT}); run npm install`);
  const stage = join(ROOT, "dist", ".llama-runtime");
  rmSync(stage, { recursive: true, force: true });
  const built = await Bun.build({ entrypoints: [join(PKG, "dist", "index.js")], target: "bun", format: "esm", outdir: join(stage, "dist") });
  if (!built.success) throw new Error(`bundling node-llama-cpp failed:\n${built.logs.join("\n")}`);

  const archive: Zippable = {};
  const add = (name: string, path: string) => void (archive[`node-llama-cpp/${name}`] = [new Uint8Array(readFileSync(path)), { level: 6 }]);
  for (const f of files(join(stage, "dist"))) add(`dist/${relative(join(stage, "dist"), f)}`, f);
  add("package.json", join(PKG, "package.json"));
  for (const f of files(join(PKG, "llama"), (p) => p.endsWith("gitRelease.bundle"))) add(`llama/${relative(join(PKG, "llama"), f)}`, f);
  for (const f of files(PREBUILT)) add(`bins/linux-x64/${relative(PREBUILT, f)}`, f);
  writeFileSync(LLAMA_RUNTIME_ZIP, zipSync(archive));
  rmSync(stage, { recursive: true, force: true });
  return LLAMA_RUNTIME_ZIP;
}

if (import.meta.main) {
  const out = await buildLlamaRuntime();
  console.log(`wrote ${out} (${(statSync(out).size / 1e6).toFixed(1)} MB)`);
}
