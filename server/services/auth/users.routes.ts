// /api/users: the Owner's user management (with each user's storage use and quota).
import { Elysia } from "elysia";
import { principalOf } from "../../http/auth-guard.ts";
import { clientIp } from "../../http/request-meta.ts";
import type { UsersService } from "./users.service.ts";
import { InviteBody, UserChangeBody, UserParams } from "./auth.schemas.ts";

export function usersRoutes(users: UsersService, storage: { quotaOf(address: string): { quota: number | null; used: number } }) {
  return new Elysia({ name: "users.routes" })
    .get("/api/users", () => ({
      users: users.list().map((u) => {
        const { quota, used } = storage.quotaOf(u.address);
        return { ...u, usedBytes: used, quotaBytes: quota };
      }),
    }))
    .post(
      "/api/users",
      ({ request, body, set }) => {
        const user = users.invite(principalOf(request), body, clientIp(request));
        set.status = 201;
        return { user };
      },
      { body: InviteBody },
    )
    .patch("/api/users/:address", ({ request, params, body }) => ({ user: users.change(principalOf(request), params.address, body, clientIp(request)) }), {
      params: UserParams,
      body: UserChangeBody,
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
