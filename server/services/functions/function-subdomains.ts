// Functions at a host name of their own: <subdomain>.<PC2_FUNCTIONS_DOMAIN>. A request for such a
// host is rewritten to the function's /fn/<owner>/<name>/ path before routing, so it passes the same
// host guard, sign-in, limits and header policy; the function sees the path as sent, with no prefix.
// Every host under the domain belongs to functions, never to the node: an unknown or deeper name is
// answered 404, so the node's pages, API and sockets never share an origin with a function's.
import { hostnameOf } from "../../http/host-guard.ts";
import { requestHost } from "../../http/request-meta.ts";

/** Rewritten request → the request as the client sent it (for the WebSocket upgrade). */
const rewritten = new WeakMap<Request, Request>();

/** The request as the client sent it, when this one was rewritten from a function's host. */
export function originalOf(request: Request): Request | undefined {
  return rewritten.get(request);
}

export class FunctionSubdomains {
  private readonly suffix: string;

  constructor(
    readonly domain: string,
    /** The function with this subdomain, whoever owns it. */
    private readonly lookup: (label: string) => { owner: string; name: string } | null,
  ) {
    this.suffix = `.${domain}`;
  }

  /** The host name of a function with this subdomain. */
  hostOf(label: string): string {
    return `${label}${this.suffix}`;
  }

  /**
   * For a host under the functions domain: the request rewritten to the function's /fn/ path, or
   * "unknown" when no function holds the name (a deeper name included). null for every other host.
   */
  route(request: Request): Request | "unknown" | null {
    const name = hostnameOf(requestHost(request));
    if (name === null || !name.endsWith(this.suffix) || name.length === this.suffix.length) return null;
    const label = name.slice(0, -this.suffix.length);
    const fn = label.includes(".") ? null : this.lookup(label);
    if (!fn) return "unknown";
    const url = new URL(request.url);
    const next = new Request(`${url.origin}/fn/${fn.owner}/${fn.name}${url.pathname}${url.search}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: request.signal,
      duplex: "half",
    } as RequestInit);
    rewritten.set(next, request);
    return next;
  }
}
