// /api/tokens: a user's API tokens (created and revoked from a signed-in session only).
import { Elysia } from "elysia";
import { principalOf } from "../../http/auth-guard.ts";
import { clientIp } from "../../http/request-meta.ts";
import type { ApiTokensService } from "./api-tokens.service.ts";
import { CreateTokenBody, TokenParams } from "./auth.schemas.ts";

export function tokensRoutes(tokens: ApiTokensService) {
  return new Elysia({ name: "tokens.routes" })
    .get("/api/tokens", ({ request }) => ({ tokens: tokens.list(principalOf(request)) }))
    .post(
      "/api/tokens",
      ({ request, body, set }) => {
        const created = tokens.create(principalOf(request), body, clientIp(request));
        set.status = 201;
        set.headers["cache-control"] = "no-store";
        return created;
      },
      { body: CreateTokenBody },
    )
    .delete(
      "/api/tokens/:id",
      ({ request, params }) => {
        tokens.revoke(principalOf(request), params.id, clientIp(request));
        return { revoked: true };
      },
      { params: TokenParams },
    );
}
