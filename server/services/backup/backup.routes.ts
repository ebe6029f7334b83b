// GET /api/backup (where backups go, whether one runs, the last result) and POST /api/backup/run
// { folder } or { nodeId } (back up now into that folder or onto that friend's node, then prune), and
// GET /api/backup/download (a full set as a tar archive, streamed): the Owner's.
import { Elysia } from "elysia";
import { principalOf } from "../../http/auth-guard.ts";
import type { AuditService } from "../audit/audit.service.ts";
import { BackupBrowseQuery, BackupRunBody, BackupSetParams, RestoreFilesBody } from "./backup.schemas.ts";
import type { BackupBrowser } from "./backup-browser.ts";
import { type BackupService, checkTarget } from "./backup.service.ts";

export function backupRoutes(backup: BackupService, browser: BackupBrowser, audit: AuditService) {
  return (
    new Elysia({ name: "backup.routes" })
      .get("/api/backup", ({ set }) => {
        set.headers["cache-control"] = "no-store";
        return backup.status();
      })
      .get("/api/backup/download", ({ request }) => {
        const { body, filename, set } = backup.download();
        audit.record({ actor: principalOf(request).address, action: "backup.download", detail: { set } });
        return new Response(body, {
          headers: { "content-type": "application/x-tar", "content-disposition": `attachment; filename="${filename}"`, "cache-control": "no-store" },
        });
      })
      // ---- looking into the sets at the chosen destination; single files and folders back
      .get("/api/backup/sets", async () => ({ sets: await browser.sets() }))
      .get("/api/backup/sets/:name/files", ({ params, query, request }) => browser.list(principalOf(request).address, params.name, query.path), { params: BackupSetParams, query: BackupBrowseQuery })
      .post(
        "/api/backup/sets/:name/restore",
        async ({ params, body, request }) => {
          const actor = principalOf(request).address;
          const done = await browser.restore(actor, params.name, body.paths);
          audit.record({ actor, action: "backup.files_restored", detail: { set: params.name, files: done.files, folders: done.folders, folder: done.folder } });
          return done;
        },
        { params: BackupSetParams, body: RestoreFilesBody },
      )
      .post(
        "/api/backup/run",
        async ({ body, request }) => {
          const given = (body.folder === undefined) === (body.nodeId === undefined) ? {} : body.folder !== undefined ? { kind: "folder", folder: body.folder } : { kind: "node", nodeId: body.nodeId };
          const record = await backup.run(checkTarget(given, backup.nodeId()));
          audit.record({ actor: principalOf(request).address, action: "backup.run", detail: { destination: record.destination, ok: record.ok, set: record.set } });
          return record;
        },
        { body: BackupRunBody },
      )
  );
}
