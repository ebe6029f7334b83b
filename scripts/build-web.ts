// Bundles the desktop (web/index.html and everything it imports) into dist/web with hashed file names,
// and a gzip copy of each text file beside it (<name>.gz), which the node sends to browsers that accept it.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const WEB_OUT = join(import.meta.dir, "..", "dist", "web");

export async function buildWeb(outdir = WEB_OUT): Promise<string[]> {
  rmSync(outdir, { recursive: true, force: true });
  const result = await Bun.build({
    entrypoints: [join(import.meta.dir, "..", "web", "index.html")],
    outdir,
    minify: true,
    // The desktop and its apps are chunks of their own, loaded after sign-in (web/shell/pc2-app.ts).
    splitting: true,
    sourcemap: "none",
    // Lit's production build (its "development" export logs a warning and carries dev-only checks).
    conditions: ["production"],
    define: { "process.env.NODE_ENV": '"production"' },
    naming: { entry: "[name].[ext]", chunk: "assets/[name]-[hash].[ext]", asset: "assets/[name]-[hash].[ext]" },
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    throw new Error("web build failed");
  }
  // The service worker that gives zip downloads their progress: one file at a fixed name (its URL is its identity).
  const worker = await Bun.build({
    entrypoints: [join(import.meta.dir, "..", "web", "download-worker.ts")],
    outdir,
    minify: true,
    sourcemap: "none",
    naming: { entry: "[name].js" },
  });
  if (!worker.success) {
    for (const log of worker.logs) console.error(log);
    throw new Error("web build failed (download worker)");
  }
  const built = [...result.outputs, ...worker.outputs].map((o) => o.path);
  const compressed = built
    .filter((p) => /\.(m?js|css|html|svg|json)$/.test(p))
    .map((p) => {
      writeFileSync(`${p}.gz`, Bun.gzipSync(readFileSync(p), { level: 9 }));
      return `${p}.gz`;
    });
  return [...built, ...compressed];
}

if (import.meta.main) {
  const files = await buildWeb();
  console.log(`built ${files.length} desktop files into ${WEB_OUT}`);
}
