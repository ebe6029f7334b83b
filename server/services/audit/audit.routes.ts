// GET /api/audit: the Owner reads the audit log, newest first.
import { Elysia } from "elysia";
import type { AuditService } from "./audit.service.ts";

export function auditRoutes(audit: AuditService) {
  return new Elysia({ name: "audit.routes" }).get("/api/audit", ({ query }) => audit.page(query as Record<string, string>));
}
