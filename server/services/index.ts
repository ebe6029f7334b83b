// createServices: build each service with exactly what it needs, in dependency order.
import type { AppContext, Services } from "../context.ts";
import { appliedVersions } from "../db/migrate.ts";
import { IdentityStore } from "./identity/identity.store.ts";
import { IdentityService } from "./identity/identity.service.ts";
import { SetupRepository } from "./setup/setup.repository.ts";
import { SetupService } from "./setup/setup.service.ts";
import { SystemService } from "./system/system.service.ts";

export function createServices(ctx: AppContext): Services {
  const { config, db, events, log } = ctx;
  const identity = new IdentityService(new IdentityStore(config.dataDir), events, log.child({ svc: "identity" }));
  const setup = new SetupService(new SetupRepository(db), config.setupCode, log.child({ svc: "setup" }));
  const system = new SystemService(config.nodeName, () => identity.info(), config.dataDir);

  system.addCheck("database", () => {
    db.query("SELECT 1").get();
    return { status: "ok", schemaVersion: Math.max(0, ...appliedVersions(db)) };
  });
  system.addCheck("identity", () => ({ status: "ok", nodeId: identity.info().nodeId }));

  return { identity, setup, system };
}
