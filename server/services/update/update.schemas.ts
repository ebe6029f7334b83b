// Input schemas for the update routes.
import { t } from "elysia";

/** A rollback; `force` accepts putting back the pre-update database (what changed since is lost). */
export const RollbackBody = t.Object({ force: t.Optional(t.Boolean()) });
