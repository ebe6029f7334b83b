// Puter-compatible file routes at the root (/stat, /readdir, /fs/readdir, /read, /write, /batch, …).
// Wire rules: exactly 200 on success, v1 entries (camelCase v2 on /fs/readdir), Content-Type always.
import { Elysia } from "elysia";
import { BadRequestError, ValidationError } from "../../errors.ts";
import { principalOf } from "../../http/auth-guard.ts";
import { multipartParts } from "../../http/multipart.ts";
import { runMultipartBatch, BatchRunner } from "./batch.ts";
import type { FileWriter } from "./file-writer.ts";
import type { FilesService } from "./files.service.ts";
import type { TrashService } from "./trash.service.ts";
import { NoBody, streamedBody } from "../../http/schema.ts";
import { PuterBody, PuterQuery } from "./files.schemas.ts";
import { toV1, toV2 } from "./fs-entry.ts";
import { bool, body, count, sortOf, type Body } from "./puter-input.ts";
import { fileResponse } from "./read-response.ts";
import { checkName, displayPath, joinPath, resolvePath } from "./virtual-path.ts";

const owner = (request: Request) => principalOf(request).address;

function listing(files: FilesService, who: string, b: Body, shape: typeof toV1 | typeof toV2) {
  const { sort, desc, foldersFirst } = sortOf(b);
  const paginated = "cursor" in b || bool(b.includeTotal, false);
  const limit = count(b.limit, "limit", 10_000, paginated ? 1000 : 0) || undefined;
  const offset = count(b.cursor ?? b.offset, "cursor", Number.MAX_SAFE_INTEGER, 0);
  const { rows, total } = files.readdir(who, b.path ?? b.uid ?? b, { sort, desc, foldersFirst, limit, offset });
  const items = rows.map((r) => shape(r));
  if (!paginated) return items;
  const next = limit !== undefined && offset + rows.length < total ? String(offset + rows.length) : undefined;
  return { items, ...(next ? { cursor: next } : {}), ...(bool(b.includeTotal, false) ? { total } : {}) };
}

export function puterFsRoutes(files: FilesService, writer: FileWriter, trash: TrashService) {
  return (
    new Elysia({ name: "puter-fs.routes" })
      .post(
        "/stat",
        ({ request, body: raw }) => {
          const b = body(raw);
          const { entry, isEmpty, size } = files.stat(owner(request), b.path ?? b.uid ?? b.uuid ?? b, bool(b.return_size, false));
          return { ...toV1(entry), is_empty: isEmpty, size, ...(bool(b.return_versions, false) ? { versions: [] } : {}), ...(bool(b.return_shares, false) ? { shares: [] } : {}) };
        },
        { body: PuterBody },
      )
      .post("/readdir", ({ request, body: raw }) => listing(files, owner(request), body(raw), toV1), { body: PuterBody })
      .post("/fs/readdir", ({ request, body: raw }) => listing(files, owner(request), body(raw), toV2), { body: PuterBody })
      .get("/fs/readdir", ({ request, query }) => listing(files, owner(request), query as Body, toV2), { query: PuterQuery })
      .post(
        "/mkdir",
        ({ request, body: raw }) => {
          const b = body(raw);
          return toV1(
            files.mkdir(owner(request), {
              path: b.path,
              parent: b.parent,
              overwrite: bool(b.overwrite, false),
              dedupe: bool(b.dedupe_name ?? b.change_name, false),
              createParents: bool(b.create_missing_parents ?? b.create_missing_ancestors, false),
            }),
          );
        },
        { body: PuterBody },
      )
      .post(
        "/rename",
        ({ request, body: raw }) => {
          const b = body(raw);
          return toV1(files.rename(owner(request), b.uid ?? b.path ?? b, b.new_name));
        },
        { body: PuterBody },
      )
      .post(
        "/move",
        ({ request, body: raw }) => {
          const b = body(raw);
          const r = files.move(owner(request), b.source, b.destination, {
            overwrite: bool(b.overwrite, false),
            dedupe: bool(b.dedupe_name ?? b.change_name, false),
            newName: b.new_name,
            newMetadata: b.new_metadata,
            createParents: bool(b.create_missing_parents, false),
          });
          return { moved: toV1(r.moved), old_path: displayPath(r.oldPath, r.moved.owner), ...(r.overwritten ? { overwritten: toV1(r.overwritten) } : {}) };
        },
        { body: PuterBody },
      )
      .post(
        "/copy",
        ({ request, body: raw }) => {
          const b = body(raw);
          const r = files.copy(owner(request), b.source, b.destination, { overwrite: bool(b.overwrite, false), dedupe: bool(b.dedupe_name ?? b.change_name, false), newName: b.new_name });
          return [{ copied: toV1(r.copied), ...(r.overwritten ? { overwritten: toV1(r.overwritten) } : {}) }];
        },
        { body: PuterBody },
      )
      .post(
        "/delete",
        ({ request, body: raw }) => {
          const b = body(raw);
          const descendantsOnly = bool(b.descendants_only, false);
          if (Array.isArray(b.paths)) {
            if (b.paths.length === 0 || b.paths.length > 1000) throw new ValidationError("paths must list 1 to 1000 items");
            return trash.delete(owner(request), b.paths, descendantsOnly).map(toV1);
          }
          const [row] = trash.delete(owner(request), [b.path ?? b.uid ?? b], descendantsOnly);
          return { ok: true, uid: row?.uid ?? null };
        },
        { body: PuterBody },
      )
      .post(
        "/search",
        ({ request, body: raw }) => {
          const b = body(raw);
          return files.search(owner(request), b.query ?? b.text).map(toV1);
        },
        { body: PuterBody },
      )
      .get(
        "/read",
        ({ request, query }) => {
          const who = owner(request);
          const entry = files.find(who, query.file ?? query.path ?? query.uid);
          if (entry.is_dir || !entry.blob) throw new BadRequestError("This is a folder; list it instead", "cannot_read_a_directory");
          return fileResponse(request, entry, files.blob(who, entry), { contentType: "application/octet-stream" });
        },
        { query: PuterQuery },
      )
      .get("/df", ({ request }) => files.df(owner(request)))
      .post("/df", ({ request }) => files.df(owner(request)), { body: NoBody })
      // The PC2 upload: multipart fields (path, name, size, overwrite, dedupe_name, create_missing_parents), then one file.
      .post(
        "/write",
        async ({ request }) => {
          const who = owner(request);
          const fields: Body = {};
          for await (const part of multipartParts(request)) {
            if (part.kind === "field") {
              fields[part.name] = part.value;
              continue;
            }
            // Like Puter's old /write: `path` is the parent when `name` is given, or when it is an existing
            // folder (the part's file name is then used); otherwise it is the file's own path.
            const path = resolvePath(fields.path ?? "~", who);
            const named = typeof fields.name === "string" && fields.name !== "" ? fields.name : null;
            const target = named || files.entryAt(who, path)?.is_dir ? joinPath(path, checkName(named ?? part.filename)) : path;
            const row = await writer.write(who, target, part.stream, {
              overwrite: bool(fields.overwrite, false),
              dedupe: bool(fields.dedupe_name ?? fields.change_name, false),
              createParents: bool(fields.create_missing_parents ?? fields.create_missing_ancestors, false),
              size: fields.size === undefined ? undefined : count(fields.size, "size", Number.MAX_SAFE_INTEGER, 0),
            });
            return toV1(row);
          }
          throw new ValidationError("The upload has no file part", { field: "file" });
        },
        streamedBody("multipart/form-data"),
      )
      .post(
        "/batch",
        async ({ request, body: raw, set }) => {
          const who = owner(request);
          let runner: BatchRunner;
          if ((request.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/")) {
            runner = await runMultipartBatch(request, who, files, writer, trash);
          } else {
            const b = body(raw);
            const ops = b.operations ?? b.ops;
            if (!Array.isArray(ops) || ops.length === 0 || ops.length > 256) throw new ValidationError("operations must list 1 to 256 operations");
            runner = new BatchRunner(who, files, writer, trash);
            for (const op of ops) await runner.operation(op);
            runner.finish();
          }
          set.status = runner.failed ? 218 : 200;
          return { results: runner.results };
        },
        { body: PuterBody, ...streamedBody("multipart/form-data") },
      )
  );
}
