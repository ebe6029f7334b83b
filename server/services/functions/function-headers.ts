// What crosses between a client and a function at /fn/<owner>/<name>/: the function never sees the
// node's credentials (its session cookie, or a PC2 token in Authorization), and a function's
// answer cannot act as the node's own pages — every response is sandboxed (Content-Security-Policy:
// sandbox, an opaque origin: its scripts cannot use the visitor's session), and the cookies it sets
// are kept to its own path, never the node's.
import { SESSION_COOKIE } from "../../http/cookies.ts";

/** The sandbox every function response carries (scripts and forms work; the node's origin does not). */
export const FUNCTION_SANDBOX = "sandbox allow-scripts allow-forms allow-popups allow-downloads allow-modals";

/** The client's request as the function receives it. */
export function toFunctionHeaders(request: Request, opts: { stripAuthorization: boolean; host: string; proto: string; prefix: string }): Headers {
  const headers = new Headers(request.headers);
  const cookies = (headers.get("cookie") ?? "")
    .split(";")
    .map((c) => c.trim())
    .filter((c) => c && !c.startsWith(`${SESSION_COOKIE}=`));
  if (cookies.length) headers.set("cookie", cookies.join("; "));
  else headers.delete("cookie");
  if (opts.stripAuthorization) headers.delete("authorization");
  headers.set("host", opts.host);
  headers.set("x-forwarded-host", opts.host);
  headers.set("x-forwarded-proto", opts.proto);
  // At the function's own host name there is no prefix (and a client's own claim of one is dropped).
  if (opts.prefix) headers.set("x-forwarded-prefix", opts.prefix);
  else headers.delete("x-forwarded-prefix");
  return headers;
}

/** One Set-Cookie from a function, confined to `prefix` (or dropped if it names the node's cookie). */
export function confineCookie(value: string, prefix: string): string | null {
  const [pair, ...attributes] = value.split(";");
  const name = (pair ?? "").split("=")[0]!.trim();
  if (!name || name === SESSION_COOKIE || name.startsWith("__Host-")) return null;
  const kept = attributes.map((a) => a.trim()).filter((a) => a && !/^(domain|path)\s*=/i.test(a));
  return [pair!.trim(), `Path=${prefix}`, ...kept].join("; ");
}

/** The function's response as the client receives it. */
export function fromFunction(response: Response, prefix: string): Response {
  const headers = new Headers(response.headers);
  headers.delete("set-cookie");
  for (const cookie of response.headers.getSetCookie()) {
    const confined = confineCookie(cookie, prefix);
    if (confined) headers.append("set-cookie", confined);
  }
  // A function's own policy is kept (both apply); the sandbox is added to it.
  headers.append("content-security-policy", FUNCTION_SANDBOX);
  headers.set("x-content-type-options", "nosniff");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
