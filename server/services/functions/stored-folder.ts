// A function's files from a folder in the deployer's own storage (deploy { folder: "~/Functions/x" }):
// looked up in their wallet's files only, with the same rules as `pc2 fn deploy` (source and text
// files; no dot-files, no node_modules; the size limits).
import { fail } from "../../errors.ts";
import type { FilesService } from "../files/files.service.ts";
import { MAX_FILES, MAX_SOURCE_BYTES, SOURCE_FILE, type SourceFile, skippedPart } from "./function-bundler.ts";

export async function readStoredFolder(files: FilesService, owner: string, folder: string): Promise<SourceFile[]> {
  const dir = files.find(owner, folder);
  if (!dir.is_dir) throw fail("invalid_request", `${dir.name} is a file; deploy from its folder`);
  const prefix = `${dir.path}/`;
  const picked = files.descendants(owner, dir).filter((e) => !e.is_dir && SOURCE_FILE.test(e.name) && !e.path.slice(prefix.length).split("/").some(skippedPart));
  if (picked.length > MAX_FILES) throw fail("function_too_large", `A function has at most ${MAX_FILES} files; ${dir.name} holds ${picked.length}`);
  const bytes = picked.reduce((n, e) => n + (e.size ?? 0), 0);
  if (bytes > MAX_SOURCE_BYTES) throw fail("function_too_large", `A function's files may hold ${MAX_SOURCE_BYTES} bytes at most`);
  const out: SourceFile[] = [];
  for (const e of picked) out.push({ path: e.path.slice(prefix.length), content: await files.blob(owner, e).text() });
  if (!out.length) throw fail("function_entry_missing", `${dir.name} holds no source files`);
  return out;
}
