// /api/auth/*: challenge, login, logout, sessions, setup status; and Puter's GET /whoami.
import { Elysia } from "elysia";
import { principalOf } from "../../http/auth-guard.ts";
import type { BodyLimits } from "../../http/body-limits.ts";
import { clearSessionCookie, sessionCookie } from "../../http/cookies.ts";
import { clientIp, requestHost, requestProtocol } from "../../http/request-meta.ts";
import type { SetupService } from "../setup/setup.service.ts";
import type { SessionsService } from "./sessions.service.ts";
import type { RequestFacts, SignInService } from "./sign-in.service.ts";
import type { UsersRepository } from "./users.repository.ts";
import { whoami } from "./whoami.ts";
import { ChallengeBody, LoginBody, SessionParams } from "./auth.schemas.ts";
import { NoBody } from "../../http/schema.ts";

/** Sign-in bodies are small, and anyone may send them. */
export const AUTH_BODY_LIMITS: BodyLimits = {
  "POST /api/auth/challenge": { bytes: 4 * 1024 },
  "POST /api/auth/login": { bytes: 16 * 1024 },
};

export function requestFacts(request: Request): RequestFacts {
  return { host: requestHost(request), protocol: requestProtocol(request), ip: clientIp(request), userAgent: request.headers.get("user-agent") };
}

export function authRoutes(signIn: SignInService, sessions: SessionsService, setup: SetupService, users: UsersRepository, homeFolders: (address: string) => Record<string, string>) {
  return new Elysia({ name: "auth.routes" })
    .post("/api/auth/challenge", ({ body, request }) => signIn.challenge(body, requestFacts(request)), { body: ChallengeBody })
    .post(
      "/api/auth/login",
      async ({ body, request, set }) => {
        const { user, token } = await signIn.login(body, requestFacts(request));
        set.headers["set-cookie"] = sessionCookie(request, token, sessions.maxAgeSeconds);
        set.headers["cache-control"] = "no-store";
        return { user, token };
      },
      { body: LoginBody },
    )
    .get("/api/auth/setup", () => ({ claimed: setup.isClaimed() }))
    .post(
      "/api/auth/logout",
      ({ request, set }) => {
        sessions.logout(principalOf(request), clientIp(request));
        set.headers["set-cookie"] = clearSessionCookie(request);
        return { signedOut: true };
      },
      { body: NoBody },
    )
    .get("/api/auth/sessions", ({ request }) => ({ sessions: sessions.list(principalOf(request)) }))
    .delete(
      "/api/auth/sessions/:id",
      ({ request, params }) => {
        sessions.revoke(principalOf(request), params.id, clientIp(request));
        return { revoked: true };
      },
      { params: SessionParams },
    )
    .get("/whoami", ({ request }) => {
      const p = principalOf(request);
      return whoami(p, users.get(p.address), homeFolders(p.address));
    });
}
