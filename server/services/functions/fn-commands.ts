// A function's folder as `pc2 fn deploy` (and the client, client/pc2-client.ts) sends it: its
// source files only; dot-files and node_modules are left out, and the deploy limits apply here
// first, so an oversized folder fails before anything is sent.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { MAX_FILES, MAX_SOURCE_BYTES, SOURCE_FILE, type SourceFile, skippedPart } from "./function-bundler.ts";

export class FnCommandError extends Error {}

/** The folder's files as a deploy sends them. */
export function readFunctionFolder(dir: string): SourceFile[] {
  const files: SourceFile[] = [];
  let bytes = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (skippedPart(name)) continue;
      const full = join(d, name);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else if (st.isFile() && SOURCE_FILE.test(name)) {
        bytes += st.size;
        if (files.length >= MAX_FILES || bytes > MAX_SOURCE_BYTES) throw new FnCommandError(`${dir} holds more than a function may (${MAX_FILES} files, ${MAX_SOURCE_BYTES} bytes)`);
        files.push({ path: relative(dir, full).split("\\").join("/"), content: readFileSync(full, "utf8") });
      }
    }
  };
  try {
    walk(dir);
  } catch (err) {
    if (err instanceof FnCommandError) throw err;
    throw new FnCommandError(`${dir} cannot be read: ${(err as Error).message}`);
  }
  if (!files.length) throw new FnCommandError(`${dir} holds no source files`);
  return files;
}
