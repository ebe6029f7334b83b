// GET /api/tls: how the node speaks HTTPS and the certificate it serves, so anyone signed in can
// check the fingerprint their browser shows. Why a new certificate could not be loaded (it names
// files on the node) is for the Owner and Admins only. GET /.well-known/acme-challenge/:token
// answers the ACME CA's HTTP-01 check while an order is open (public, as the CA is nobody).
import { Elysia } from "elysia";
import { principalOf } from "../../http/auth-guard.ts";
import { fail } from "../../errors.ts";
import { AcmeTokenParams } from "./tls.schemas.ts";
import type { TlsService } from "./tls.service.ts";

export function tlsRoutes(tls: TlsService) {
  return new Elysia({ name: "tls.routes" })
    .get("/api/tls", ({ request, set }) => {
      set.headers["cache-control"] = "no-store";
      const status = tls.status();
      return principalOf(request).role === "member" ? { ...status, lastError: status.lastError === null ? null : "the new certificate could not be loaded" } : status;
    })
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
