// One decision for HTTP routes and WebSocket methods alike: may this principal do this?
import { fail, ForbiddenError, UnauthorizedError } from "../errors.ts";
import { roleRank, type Principal } from "../principal.ts";
import type { Access } from "./roles.ts";

export function authorize(access: Access | undefined, principal: Principal | null, what: string): void {
  // Fail closed: something registered without an entry in roles.ts is refused, never open.
  if (!access) throw fail("no_access_rule", `No access rule is defined for ${what}`);
  if (access.role === null) return;
  if (!principal) throw new UnauthorizedError();
  if (roleRank(principal.role) < roleRank(access.role)) {
    throw new ForbiddenError(`This needs the ${access.role} role; you are ${principal.role === "admin" ? "an admin" : `a ${principal.role}`}`, "insufficient_role");
  }
  if (principal.kind === "session") return;
  // An API token: only where the table names scopes, and only with one of them.
  if (!access.scopes) throw new ForbiddenError("API tokens cannot do this; sign in with your wallet", "session_required");
  if (!access.scopes.some((s) => principal.scopes.has(s))) {
    throw new ForbiddenError(`This token needs the ${access.scopes.map((s) => `"${s}"`).join(" or ")} scope`, "insufficient_scope");
  }
}
