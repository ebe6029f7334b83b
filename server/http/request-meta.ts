// Facts the transport knows about a request that a Request object does not carry: the client's
// address and the scheme it used (through a trusted reverse proxy, what the proxy says).

export interface RequestMeta {
  ip: string;
  protocol?: "http:" | "https:";
}

const meta = new WeakMap<Request, RequestMeta>();

export function setRequestMeta(request: Request, value: RequestMeta): void {
  meta.set(request, value);
}

const routes = new WeakMap<Request, string>();

/** The route pattern the app matched for this request (for metrics: few distinct values). */
export function setRouteOf(request: Request, route: string): void {
  routes.set(request, route);
}

/** The matched route's pattern, or null when no route matched. */
export function routeOf(request: Request): string | null {
  return routes.get(request) ?? null;
}

/** The client's address: the TCP peer, or what a trusted proxy reported. Never a header from anyone else. */
export function clientIp(request: Request): string {
  return meta.get(request)?.ip ?? "unknown";
}

/** The scheme the client used: the listener's own, or what a trusted proxy reported. */
export function requestProtocol(request: Request): "http:" | "https:" {
  const known = meta.get(request)?.protocol;
  if (known) return known;
  return new URL(request.url).protocol === "https:" ? "https:" : "http:";
}

/** The Host the request was sent to (host[:port]). */
export function requestHost(request: Request): string {
  return request.headers.get("host") ?? new URL(request.url).host;
}

/**
 * The one same-site rule, for CSRF and WebSocket origin checks alike: is `source` (an Origin or
 * Referer value) this request's own origin, by scheme, host and port? null when it is malformed.
 */
export function isSameOrigin(request: Request, source: string): boolean | null {
  let origin: string;
  try {
    origin = new URL(source).origin;
  } catch {
    return null;
  }
  return origin === requestOrigin(request);
}

/** scheme://host[:port] as a browser would write it in Origin (default ports dropped). */
export function requestOrigin(request: Request): string | null {
  try {
    return new URL(`${requestProtocol(request)}//${requestHost(request)}`).origin;
  } catch {
    return null;
  }
}
