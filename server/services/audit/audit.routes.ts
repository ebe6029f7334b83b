// GET /api/audit: the Owner reads the audit log, newest first.
import { Elysia, t } from "elysia";
import type { AuditService } from "./audit.service.ts";

/** Paging through the log: numbers as query strings, checked by the service's bounds. */
const AuditQuery = t.Object({
  limit: t.Optional(t.String({ pattern: "^\\d{1,4}$" })),
  before: t.Optional(t.String({ pattern: "^\\d{1,16}$" })),
  action: t.Optional(t.String({ maxLength: 64 })),
});

export function auditRoutes(audit: AuditService) {
  return new Elysia({ name: "audit.routes" }).get("/api/audit", ({ query }) => audit.page(query), { query: AuditQuery });
}
