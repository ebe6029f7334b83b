// What every part of the server may be handed: config, logger, event bus, database, services.
import type { Config } from "./config.ts";
import type { Database } from "./db/database.ts";
import type { EventBus } from "./events.ts";
import type { Logger } from "./log.ts";
import type { IdentityService } from "./services/identity/identity.service.ts";
import type { SetupService } from "./services/setup/setup.service.ts";
import type { SystemService } from "./services/system/system.service.ts";

export interface AppContext {
  config: Config;
  log: Logger;
  events: EventBus;
  db: Database;
}

export interface Services {
  identity: IdentityService;
  setup: SetupService;
  system: SystemService;
}
