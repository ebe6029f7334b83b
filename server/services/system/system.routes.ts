// GET /health (liveness for anyone, components for Admins; 503 when a component is down) and GET /api/info.
import { Elysia } from "elysia";
import { optionalPrincipalOf } from "../../http/auth-guard.ts";
import type { SystemService } from "./system.service.ts";

export function systemRoutes(system: SystemService) {
  return new Elysia({ name: "system.routes" })
    .get("/health", ({ request, set }) => {
      const health = system.healthFor(optionalPrincipalOf(request)?.role ?? null);
      set.status = health.status === "down" ? 503 : 200;
      set.headers["cache-control"] = "no-store";
      return health;
    })
    .get("/api/info", ({ set }) => {
      set.headers["cache-control"] = "no-store";
      return system.info();
    });
}
