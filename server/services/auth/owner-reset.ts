// `pc2 owner reset`: for an Owner who lost their wallet. Needs shell access to the machine, by design.
import { transaction, type Database } from "../../db/database.ts";
import type { AuditService } from "../audit/audit.service.ts";
import { generateSetupCode, hashSetupCode } from "../setup/setup-code.ts";
import type { SetupRepository } from "../setup/setup.repository.ts";
import type { UsersRepository } from "./users.repository.ts";

/**
 * Remove the Owner (their sessions and tokens go with them), mark the node unclaimed and store a
 * fresh setup code that survives restarts. Other users keep their roles. Safe while the node runs:
 * it reads these rows on every request, and its heartbeat closes the old Owner's sockets.
 */
export async function resetOwner(db: Database, setup: SetupRepository, users: UsersRepository, audit: AuditService): Promise<{ code: string; previousOwner: string | null }> {
  const code = generateSetupCode();
  const hash = await hashSetupCode(code);
  const previousOwner = transaction(db, () => {
    const owner = users.owner();
    if (owner) users.delete(owner.address);
    setup.unclaim();
    setup.setCodeHash(hash, "reset", Date.now());
    return owner?.address ?? null;
  });
  audit.record({ actor: null, action: "auth.owner_reset", target: previousOwner, ip: "local" });
  return { code, previousOwner };
}
