// GET /api/update (what runs, whether a newer signed release is published, an update under way and
// how the last one ended), POST /api/update/check (check now), POST /api/update/apply (install the
// published release: 202, progress in GET /api/update) and POST /api/update/rollback (back to the
// previous release; `force` to put back the pre-update database): the Owner's.
import { Elysia } from "elysia";
import { principalOf } from "../../http/auth-guard.ts";
import { NoBody } from "../../http/schema.ts";
import { RollbackBody } from "./update.schemas.ts";
import type { UpdateService } from "./update.service.ts";

export function updateRoutes(updates: UpdateService) {
  return new Elysia({ name: "update.routes" })
    .get("/api/update", ({ set }) => {
      set.headers["cache-control"] = "no-store";
      return updates.status();
    })
    .post("/api/update/check", () => updates.check(), { body: NoBody })
    .post(
      "/api/update/apply",
      async ({ request, set }) => {
        const status = await updates.apply(principalOf(request).address);
        set.status = 202;
        return status;
      },
      { body: NoBody },
    )
    .post(
      "/api/update/rollback",
      ({ request, body, set }) => {
        const status = updates.rollback(principalOf(request).address, body.force === true);
        set.status = 202;
        return status;
      },
      { body: RollbackBody },
    );
}
