// `pc2 fn deploy <dir> --name=<name> [--public] [--url=<node>]`: deploy a folder as a function
// through a node's HTTP API, with an API token (functions:deploy) from PC2_TOKEN — never from the
// command line, where other users of the machine could read it. Text files only; dot-files and
// node_modules are left out.
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

export async function fnDeploy(opts: { dir: string; name: string; url: string; token: string | undefined; public: boolean }): Promise<number> {
  if (!opts.token) throw new FnCommandError("Set PC2_TOKEN to an API token with the functions:deploy scope (Settings › API tokens)");
  const files = readFunctionFolder(opts.dir);
  const res = await fetch(new URL("/api/functions", opts.url), {
    method: "POST",
    headers: { authorization: `Bearer ${opts.token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: opts.name, files, ...(opts.public ? { visibility: "public" } : {}) }),
  }).catch((err: Error) => {
    throw new FnCommandError(`The node at ${opts.url} did not answer: ${err.message}`);
  });
  const body = (await res.json().catch(() => ({}))) as { function?: { current: string; url: string; startError: string | null }; message?: string };
  if (res.status !== 201 || !body.function) {
    console.error(`Not deployed: ${body.message ?? `the node answered ${res.status}`}`);
    return 1;
  }
  console.log(`Deployed ${opts.name} (${files.length} file${files.length === 1 ? "" : "s"}) as ${body.function.current}: ${new URL(body.function.url, opts.url)}`);
  if (body.function.startError) {
    console.error(`It did not start: ${body.function.startError}`);
    return 1;
  }
  return 0;
}
