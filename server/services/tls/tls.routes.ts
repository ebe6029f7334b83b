// GET /api/tls: how the node speaks HTTPS and the certificate it serves, so anyone signed in can
// check the fingerprint their browser shows. Why a new certificate could not be loaded (it names
// files on the node) is for the Owner and Admins only. GET /.well-known/acme-challenge/:token
// answers the ACME CA's HTTP-01 check while an order is open (public, as the CA is nobody). PUT
// /api/tls: the Owner chooses between the node's self-signed certificate and one from an ACME CA.
import { Elysia } from "elysia";
import { principalOf } from "../../http/auth-guard.ts";
import { fail } from "../../errors.ts";
import { AcmeTokenParams, TlsChoiceBody } from "./tls.schemas.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { TlsService } from "./tls.service.ts";

export function tlsRoutes(tls: TlsService, audit: AuditService) {
  return new Elysia({ name: "tls.routes" })
    .get("/api/tls", ({ request, set }) => {
      set.headers["cache-control"] = "no-store";
      const status = tls.status();
      return principalOf(request).role === "member" ? { ...status, lastError: status.lastError === null ? null : "the new certificate could not be loaded" } : status;
    })
    .put(
      "/api/tls",
      async ({ body, request }) => {
        const status = await tls.choose(body);
        audit.record({ actor: principalOf(request).address, action: "tls.mode_changed", detail: { mode: body.mode, names: body.names ?? [] } });
        return status;
      },
      { body: TlsChoiceBody },
    )
    .get(
      "/.well-known/acme-challenge/:token",
      ({ params }) => {
        const answer = tls.challenges.answer(`/.well-known/acme-challenge/${params.token}`);
        if (answer === null) throw fail("not_found", "No such ACME challenge");
        return new Response(answer, { headers: { "content-type": "application/octet-stream", "cache-control": "no-store" } });
      },
      { params: AcmeTokenParams },
    );
}
