// /api/identity: the Owner sees the node identity, and the recovery phrase once, then confirms it.
import { Elysia } from "elysia";
import { principalOf } from "../../http/auth-guard.ts";
import { clientIp } from "../../http/request-meta.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { IdentityService } from "./identity.service.ts";
import { ConfirmPhraseBody } from "./identity.schemas.ts";

export function identityRoutes(identity: IdentityService, audit: AuditService) {
  return new Elysia({ name: "identity.routes" })
    .get("/api/identity", () => identity.info())
    .get("/api/identity/phrase", ({ request, set }) => {
      const phrase = identity.revealPhrase();
      audit.record({ actor: principalOf(request).address, action: "identity.phrase_revealed", ip: clientIp(request) });
      set.headers["cache-control"] = "no-store";
      return { words: phrase.split(" ") };
    })
    .post(
      "/api/identity/phrase/confirm",
      ({ request, body }) => {
        const info = identity.confirmPhrase(body);
        audit.record({ actor: principalOf(request).address, action: "identity.phrase_confirmed", ip: clientIp(request) });
        return info;
      },
      { body: ConfirmPhraseBody },
    );
}
