// GET /api/backup (where backups go, whether one runs, the last result) and POST /api/backup/run
// { folder } or { nodeId } (back up now into that folder or onto that friend's node, then prune), and
// GET /api/backup/download (a full set as a tar archive, streamed): the Owner's.
import { Elysia } from "elysia";
import { principalOf } from "../../http/auth-guard.ts";
import type { AuditService } from "../audit/audit.service.ts";
import { BackupRunBody } from "./backup.schemas.ts";
import { type BackupService, checkTarget } from "./backup.service.ts";

export function backupRoutes(backup: BackupService, audit: AuditService) {
  return new Elysia({ name: "backup.routes" })
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
    .post(
      "/api/backup/run",
      async ({ body, request }) => {
        const given = (body.folder === undefined) === (body.nodeId === undefined) ? {} : body.folder !== undefined ? { kind: "folder", folder: body.folder } : { kind: "node", nodeId: body.nodeId };
        const record = await backup.run(checkTarget(given, backup.nodeId()));
        audit.record({ actor: principalOf(request).address, action: "backup.run", detail: { destination: record.destination, ok: record.ok, set: record.set } });
        return record;
      },
      { body: BackupRunBody },
    );
}
