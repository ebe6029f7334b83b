// /api/users: the Owner's user management.
import { Elysia } from "elysia";
import { principalOf } from "../../http/auth-guard.ts";
import { clientIp } from "../../http/request-meta.ts";
import type { UsersService } from "./users.service.ts";
import { InviteBody, RoleBody, UserParams } from "./auth.schemas.ts";

export function usersRoutes(users: UsersService) {
  return new Elysia({ name: "users.routes" })
    .get("/api/users", () => ({ users: users.list() }))
    .post(
      "/api/users",
      ({ request, body, set }) => {
        const user = users.invite(principalOf(request), body, clientIp(request));
        set.status = 201;
        return { user };
      },
      { body: InviteBody },
    )
    .patch("/api/users/:address", ({ request, params, body }) => ({ user: users.changeRole(principalOf(request), params.address, body.role, clientIp(request)) }), {
      params: UserParams,
      body: RoleBody,
    })
    .delete(
      "/api/users/:address",
      ({ request, params }) => {
        users.remove(principalOf(request), params.address, clientIp(request));
        return { removed: true };
      },
      { params: UserParams },
    );
}
