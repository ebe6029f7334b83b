// A function's files into one ES module (Bun's bundler, TypeScript included), named by the SHA-256
// of its code: the same files always make the same deployment. Imports are checked here, so code
// written for Deno fails at deploy with a message that names what it cannot use, rather than at
// its first request: relative imports within the function's files, and Node's side-effect-free
// built-ins, are fine; file, process, socket and native modules are refused (a function has none
// of these), and so are packages and URLs (the node fetches nothing from the internet to build).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize, relative, sep } from "node:path";
import { createHash } from "node:crypto";
import { fail } from "../../errors.ts";

export interface SourceFile {
  /** Relative to the function's folder, "/"-separated (e.g. "main.ts", "lib/util.ts"). */
  path: string;
  content: string;
}

export interface Bundle {
  /** The first 16 hex digits of the SHA-256 of `code`. */
  id: string;
  code: string;
  entry: string;
}

export const ENTRY_NAMES = ["main.ts", "main.js", "index.ts", "index.js", "mod.ts", "mod.js"];
/** The files of a folder that a deploy takes (source and text); dot-files and node_modules never. */
export const SOURCE_FILE = /\.(?:ts|tsx|mts|js|jsx|mjs|json|txt|md|html|css|svg)$/;
export const skippedPart = (part: string) => part.startsWith(".") || part === "node_modules";
export const MAX_FILES = 200;
export const MAX_SOURCE_BYTES = 5 * 1024 * 1024;

const SAFE_NODE = new Set([
  "assert",
  "buffer",
  "events",
  "path",
  "punycode",
  "querystring",
  "stream",
  "stream/web",
  "string_decoder",
  "url",
  "util",
  "crypto",
  "zlib",
  "timers",
  "timers/promises",
  "diagnostics_channel",
]);
const WHY_NODE: Record<string, string> = {
  fs: "functions have no file system",
  "fs/promises": "functions have no file system",
  child_process: "functions cannot start processes",
  cluster: "functions cannot start processes",
  worker_threads: "functions cannot start threads",
  net: "functions reach the network with fetch()",
  tls: "functions reach the network with fetch()",
  dgram: "functions reach the network with fetch()",
  dns: "functions reach the network with fetch()",
  http: "functions serve with Deno.serve or export default { fetch }, and reach the network with fetch()",
  https: "functions serve with Deno.serve or export default { fetch }, and reach the network with fetch()",
  http2: "functions serve with Deno.serve or export default { fetch }, and reach the network with fetch()",
  os: "functions do not see the machine they run on",
  vm: "functions cannot make new JavaScript contexts",
  v8: "functions cannot reach the engine",
  inspector: "functions cannot be debugged on the node",
  module: "functions are bundled at deploy time",
};

/** Paths a client sends are never trusted: relative, no "..", no empty or hidden-system parts. */
function checkPath(path: string): string {
  const clean = normalize(path).split(sep).join("/");
  if (!path || path.includes("\0") || path.includes("\\") || path.startsWith("/") || clean.startsWith("..") || clean !== path.replace(/^\.\//, "") || path.length > 255)
    throw fail("invalid_request", `A function's file path must be relative and inside its folder: ${JSON.stringify(path).slice(0, 80)}`);
  return clean;
}

/** Each file's imports (static, and dynamic ones with a literal specifier), checked before bundling. */
function checkImports(files: SourceFile[], paths: string[]): void {
  files.forEach((file, i) => {
    const path = paths[i]!;
    const loader = path.endsWith(".ts") || path.endsWith(".mts") ? "ts" : path.endsWith(".tsx") ? "tsx" : path.endsWith(".jsx") ? "jsx" : "js";
    if (![".ts", ".mts", ".tsx", ".js", ".mjs", ".jsx"].some((ext) => path.endsWith(ext))) return;
    let imports: { path: string }[];
    try {
      imports = new Bun.Transpiler({ loader }).scanImports(file.content);
    } catch (err) {
      throw fail("function_build_failed", `${path} could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (const { path: spec } of imports) {
      if (spec.startsWith("./") || spec.startsWith("../")) {
        if (normalize(join(dirname(path), spec)).startsWith("..")) throw fail("function_import_refused", `${spec} (imported by ${path}) is outside the function's folder`);
        continue;
      }
      const node = spec.startsWith("node:") ? spec.slice(5) : null;
      if (node !== null && SAFE_NODE.has(node)) continue;
      if (node !== null) throw fail("function_import_refused", `${spec} (imported by ${path}) is not available to a PC2 function${WHY_NODE[node] ? `: ${WHY_NODE[node]}` : ""}`);
      if (spec.startsWith("bun:")) throw fail("function_import_refused", `${spec} (imported by ${path}) is not available to a PC2 function: functions are written for Deno's APIs`);
      throw fail(
        "function_import_refused",
        `${spec} (imported by ${path}) cannot be imported: the node does not fetch packages or URLs when it builds a function; copy the code into the function's folder and import it with a relative path`,
      );
    }
  });
}

export async function bundleFunction(files: SourceFile[], entry?: string): Promise<Bundle> {
  if (files.length === 0 || files.length > MAX_FILES) throw fail("invalid_request", `A function has 1 to ${MAX_FILES} files`);
  const total = files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
  if (total > MAX_SOURCE_BYTES) throw fail("function_too_large", `A function's files may hold ${MAX_SOURCE_BYTES} bytes at most`);
  const paths = files.map((f) => checkPath(f.path));
  if (new Set(paths).size !== paths.length) throw fail("invalid_request", "Two files have the same path");
  const main = entry !== undefined ? checkPath(entry) : ENTRY_NAMES.find((n) => paths.includes(n));
  if (!main || !paths.includes(main)) throw fail("function_entry_missing", entry ? `There is no file ${entry} to start from` : undefined);
  checkImports(files, paths);
  const root = mkdtempSync(join(tmpdir(), "pc2-fn-build-"));
  try {
    files.forEach((f, i) => {
      const target = join(root, paths[i]!);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, f.content);
    });
    const result = await Bun.build({ entrypoints: [join(root, main)], target: "bun", format: "esm", minify: false, sourcemap: "none", throw: false });
    if (!result.success) {
      throw fail(
        "function_build_failed",
        `The function could not be built: ${result.logs
          .map((l) => String((l as { message?: string }).message ?? l))
          .join("; ")
          .replaceAll(root + "/", "")}`,
      );
    }
    // Bun names each source file in a comment, by its path from here: the build folder's random
    // name would make the same files hash differently.
    const code = (await result.outputs[0]!.text()).replaceAll(`${relative(process.cwd(), root)}/`, "").replaceAll(`${root}/`, "");
    return { id: createHash("sha256").update(code).digest("hex").slice(0, 16), code, entry: main };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
