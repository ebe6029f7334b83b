// Who is calling and may they: credentials (cookie, Bearer, Puter's body auth_token), CSRF, the role table.
import { ForbiddenError, UnauthorizedError } from "../errors.ts";
import type { Principal } from "../principal.ts";
import { authorize } from "./authorize.ts";
import { readCookie, SESSION_COOKIE } from "./cookies.ts";
import { isSameOrigin } from "./request-meta.ts";
import { HTTP_ACCESS } from "./roles.ts";

const principals = new WeakMap<Request, Principal>();
/** Header credentials already checked before the body was read (so they are looked up once). */
const early = new WeakMap<Request, Principal>();
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The routes where Puter's SDK sends its token as `auth_token` in the JSON body instead of a header
 * (its file and driver calls). Nowhere else is a body credential read.
 */
export const BODY_TOKEN_ROUTES: ReadonlySet<string> = new Set([
  "POST /stat",
  "POST /readdir",
  "POST /fs/readdir",
  "POST /search",
  "POST /mkdir",
  "POST /rename",
  "POST /move",
  "POST /copy",
  "POST /delete",
  "POST /df",
  "POST /drivers/call",
]);

const acceptsBodyToken = (request: Request, route: string) => BODY_TOKEN_ROUTES.has(`${request.method} ${route}`);

/** What is known about the caller before the body is read. */
export type BeforeBody = "public" | "authenticated" | "body-token";

interface Credential {
  secret: string;
  via: "cookie" | "bearer" | "body" | "basic";
}

/** WebDAV's paths, where clients cannot sign in any other way than HTTP Basic. */
const isDavPath = (request: Request) => /^https?:\/\/[^/]+\/dav(?:\/|$|\?)/.test(request.url);

/** The challenge a WebDAV client needs to ask its user for a token (as the password). */
const DAV_CHALLENGE = { "WWW-Authenticate": 'Basic realm="PC2 WebDAV (use an API token as the password)", charset="UTF-8"' };

function unauthorized(request: Request, message?: string, code?: "token_missing" | "token_auth_failed"): UnauthorizedError {
  const err = new UnauthorizedError(message, code);
  if (isDavPath(request)) Object.assign(err.headers, DAV_CHALLENGE);
  return err;
}

/**
 * Where a secret may come from. Never the query string or Referer: those leak into logs, history
 * and other sites (single-use signed download links are a separate, narrower mechanism).
 */
export function credentialOf(request: Request, body?: unknown, route?: string): Credential | null {
  const bodyToken = route !== undefined && acceptsBodyToken(request, route);
  if (bodyToken && body && typeof body === "object" && typeof (body as { auth_token?: unknown }).auth_token === "string") {
    return { secret: (body as { auth_token: string }).auth_token.replace(/^Bearer\s+/i, ""), via: "body" };
  }
  const auth = request.headers.get("authorization");
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (m) return { secret: m[1]!, via: "bearer" };
    // WebDAV only: Basic, with an API token as the password (the user name is not used).
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(auth);
    if (basic && isDavPath(request)) {
      const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon >= 0 && colon < decoded.length - 1) return { secret: decoded.slice(colon + 1), via: "basic" };
    }
  }
  const cookie = readCookie(request, SESSION_COOKIE);
  return cookie ? { secret: cookie, via: "cookie" } : null;
}

/** A cookie-authenticated change must come from a page of this node (Origin, else Referer): same scheme, host and port. */
function checkCsrf(request: Request): void {
  const source = request.headers.get("origin") ?? request.headers.get("referer");
  if (!source) throw new ForbiddenError("A cookie-authenticated change must send an Origin header", "csrf_origin_missing");
  const same = isSameOrigin(request, source);
  if (same === null) throw new ForbiddenError("The Origin header is malformed", "csrf_origin_mismatch");
  if (!same) throw new ForbiddenError("This request came from another site", "csrf_origin_mismatch");
}

/** What the guard needs from the auth service: whose a secret is (null: nobody's, or it ended). */
export interface Authenticator {
  authenticate(secret: string): Principal | null;
}

export class AuthGuard {
  constructor(private readonly sessions: Authenticator) {}

  /**
   * Before any body is read: a route that needs a sign-in and has no valid header credential is
   * refused now (401), unless it is one where Puter's SDK carries the token in the body; then the
   * caller is still unknown and only a small body is read.
   */
  beforeBody(request: Request, route: string): BeforeBody {
    const method = request.method === "HEAD" ? "GET" : request.method;
    const access = HTTP_ACCESS[`${method} ${route}`];
    if (!access || access.role === null) return "public";
    const credential = credentialOf(request);
    if (credential) {
      const principal = this.sessions.authenticate(credential.secret);
      if (!principal) throw unauthorized(request, "The session or token is not valid (it may have expired or been revoked)", "token_auth_failed");
      early.set(request, principal);
      return "authenticated";
    }
    if (acceptsBodyToken(request, route)) return "body-token";
    throw unauthorized(request);
  }

  /** Resolve and check the caller for a matched route; remembers the principal for the handler. */
  check(request: Request, route: string, body: unknown): void {
    const method = request.method === "HEAD" ? "GET" : request.method;
    const access = HTTP_ACCESS[`${method} ${route}`];
    const credential = credentialOf(request, body, route);
    const known = credential && credential.via !== "body" ? early.get(request) : undefined;
    const principal = known ?? (credential ? this.sessions.authenticate(credential.secret) : null);
    if (access?.role !== null && access !== undefined) {
      if (credential && !principal) throw unauthorized(request, "The session or token is not valid (it may have expired or been revoked)", "token_auth_failed");
      if (principal && credential?.via === "cookie" && !SAFE_METHODS.has(request.method)) checkCsrf(request);
      if (!principal) throw unauthorized(request);
    }
    authorize(access, principal, `${method} ${route}`);
    if (principal) principals.set(request, principal);
  }

  /** For the WebSocket handshake: cookie or Bearer; refuses with 401. */
  authenticateUpgrade(request: Request): Principal {
    const credential = credentialOf(request);
    if (!credential) throw new UnauthorizedError();
    const principal = this.sessions.authenticate(credential.secret);
    if (!principal) throw new UnauthorizedError("The session or token is not valid (it may have expired or been revoked)", "token_auth_failed");
    return principal;
  }
}

/** The caller, if signed in, on a route that anyone may use. */
export function optionalPrincipalOf(request: Request): Principal | null {
  return principals.get(request) ?? null;
}

/** The caller of a route that requires sign-in (the guard has run). */
export function principalOf(request: Request): Principal {
  const p = principals.get(request);
  if (!p) throw new UnauthorizedError();
  return p;
}
