// GET /api/update (what runs, whether a newer signed release is published, its notes) and
// POST /api/update/check (check now): the Owner's.
import { Elysia } from "elysia";
import { NoBody } from "../../http/schema.ts";
import type { UpdateService } from "./update.service.ts";

export function updateRoutes(updates: UpdateService) {
  return new Elysia({ name: "update.routes" })
    .get("/api/update", ({ set }) => {
      set.headers["cache-control"] = "no-store";
      return updates.status();
    })
    .post("/api/update/check", () => updates.check(), { body: NoBody });
}
