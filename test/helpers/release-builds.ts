// Real releases for update tests, built and signed by scripts/release.ts: from this tree, or from a
// copy of it changed on purpose (a release that crashes at start, hangs, or carries a bad migration).
import { cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { release } from "../../scripts/release.ts";
import type { ReleaseManifest, SignedRelease } from "../../server/update/release-manifest.ts";
import { BUN, REPO } from "./spawned-node.ts";
import { makeTempDir } from "./temp-dir.ts";

export interface BuiltRelease {
  binaryFile: string;
  manifest: ReleaseManifest;
  signed: SignedRelease;
}

const TREE = ["server", "web", "workers", "client", "scripts", "test/fixtures/wasm", "package.json", "tsconfig.json", "bunfig.toml", "dist/wasm-apps", "dist/wasm-fixtures"];

export async function buildRelease(o: { keyFile: string; version: string; baseUrl: string; out: string; notes?: string; patch?: (root: string) => void }): Promise<BuiltRelease> {
  const common = { keyFile: o.keyFile, version: o.version, baseUrl: o.baseUrl, channel: "stable", minFrom: "0.0.0", notes: o.notes ?? `PC2 ${o.version}.` };
  if (!o.patch) {
    const r = await release({ ...common, out: o.out });
    return { binaryFile: r.binaryFile, manifest: r.manifest, signed: JSON.parse(readFileSync(r.manifestFile, "utf8")) };
  }
  const tree = makeTempDir("pc2-tree-");
  try {
    for (const p of TREE) if (existsSync(join(REPO, p))) cpSync(join(REPO, p), join(tree.path, p), { recursive: true, preserveTimestamps: true });
    symlinkSync(join(REPO, "node_modules"), join(tree.path, "node_modules"));
    o.patch(tree.path);
    const proc = Bun.spawn([BUN, "scripts/release.ts", "--key", o.keyFile, "--version", o.version, "--base-url", o.baseUrl, "--min-from", "0.0.0", "--out", o.out], {
      cwd: tree.path,
      // A release broken on purpose (it crashes or hangs at start) cannot be profiled: built without.
      env: { ...process.env, PC2_BUILD_PROFILE: "0" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    if (code !== 0) throw new Error(`building ${o.version} failed:\n${out}\n${err}`);
    const signed = JSON.parse(readFileSync(join(o.out, "manifest-stable.json"), "utf8")) as SignedRelease;
    return { binaryFile: join(o.out, `pc2-${o.version}-${signed.manifest.platform}`), manifest: signed.manifest, signed };
  } finally {
    tree.remove();
  }
}

/** Replace `from` with `to` in a file of the copied tree (the change must apply). */
export function patchFile(root: string, file: string, from: string, to: string): void {
  const path = join(root, file);
  const text = readFileSync(path, "utf8");
  if (!text.includes(from)) throw new Error(`${file} no longer contains ${JSON.stringify(from)}`);
  writeFileSync(path, text.replace(from, to));
}
