// The session cookie: HttpOnly, SameSite=Strict, Path=/, Secure whenever the request came over HTTPS
// (directly, or through a trusted reverse proxy that says so).
import { requestProtocol } from "./request-meta.ts";

export const SESSION_COOKIE = "pc2_session";

export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export function sessionCookie(request: Request, token: string, maxAgeSeconds: number): string {
  const secure = requestProtocol(request) === "https:" ? "; Secure" : "";
  return `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure}`;
}

export function clearSessionCookie(request: Request): string {
  return sessionCookie(request, "", 0);
}
