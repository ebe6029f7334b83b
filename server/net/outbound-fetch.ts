// fetch() for every outbound request a user controls (AI providers today; functions, pulls, update
// checks and peer backups later): the host is resolved here, every address it resolves to is
// classified, and the connection goes to the checked address itself, so DNS rebinding between the
// check and the connect cannot redirect it. Redirects are followed hop by hop through the same check.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { AppError, fail } from "../errors.ts";
import { classifyAddress, reachable } from "./address-class.ts";

/** How far a request may go: "public" (Members), or also "lan" (the Owner, Admins, node settings). */
export type Reach = "public" | "lan";
export type Resolver = (hostname: string) => Promise<string[]>;

export const systemResolver: Resolver = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

const MAX_REDIRECTS = 5;
/** Headers that carry a credential bound to the origin it was given for. */
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

export class OutboundRefusedError extends AppError {
  constructor(message: string, detail: { host: string; address?: string; range?: string }) {
    super(403, "private_address_refused", message, detail);
  }
}

export type OutboundFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

function unbracket(hostname: string): string {
  return hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
}

/** Resolve `url`'s host and return the one address to dial, or refuse. */
export async function checkedAddress(url: URL, reach: Reach, resolve: Resolver): Promise<string> {
  const host = unbracket(url.hostname);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      throw fail("host_not_found", `${host} could not be resolved`, { host });
    }
    if (addresses.length === 0) throw fail("host_not_found", `${host} could not be resolved`, { host });
  }
  // One refused address refuses the name: a resolver that mixes answers is a rebinding attempt.
  for (const address of addresses) {
    const { tier, range } = classifyAddress(address);
    if (reachable(tier, reach)) continue;
    const why =
      tier === "never"
        ? `${address} is in a range the node never connects to on a user's behalf (${range})`
        : `${address} is a local address (${range}); only the Owner and Admins may use servers on the LAN`;
    throw new OutboundRefusedError(host === address ? why : `${host} resolves to ${why}`, { host, address, range });
  }
  return addresses[0]!;
}

/** What carries one hop: the runtime's fetch (tests may observe it). */
export type Transport = (target: URL, init: RequestInit) => Promise<Response>;
const runtimeFetch: Transport = (target, init) => fetch(target, init);

/** One hop: connect to `address` while speaking HTTP (Host) and TLS (SNI, certificate) for `url`'s name. */
function dial(transport: Transport, url: URL, address: string, init: RequestInit): Promise<Response> {
  const host = unbracket(url.hostname);
  const target = new URL(url);
  target.hostname = address.includes(":") ? `[${address}]` : address;
  const headers = new Headers(init.headers);
  headers.set("host", url.host);
  const tls = url.protocol === "https:" && !isIP(host) ? { serverName: host } : undefined;
  return transport(target, { ...init, headers, redirect: "manual", ...(tls ? { tls } : {}) } as RequestInit);
}

/** A fetch bound to `reach`. Only http(s); no credentials in URLs; at most five redirects. */
export function outboundFetch(reach: Reach, resolve: Resolver = systemResolver, transport: Transport = runtimeFetch): OutboundFetch {
  return async (input, init = {}) => {
    let url = new URL(input);
    let request: RequestInit = { ...init };
    const origin = url.origin;
    for (let hop = 0; ; hop++) {
      if (url.protocol !== "http:" && url.protocol !== "https:") throw fail("unsupported_url", `Only http and https URLs can be fetched, not ${url.protocol}`);
      if (url.username || url.password) throw fail("unsupported_url", "URLs with a user name or password are not fetched");
      const address = await checkedAddress(url, reach, resolve);
      const res = await dial(transport, url, address, request);
      const location = res.status >= 300 && res.status < 400 ? res.headers.get("location") : null;
      if (!location || init.redirect === "manual") return res;
      if (init.redirect === "error") throw fail("redirect_refused", `${url.host} answered with a redirect`, { host: url.host });
      await res.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw fail("too_many_redirects", `${origin} redirected more than ${MAX_REDIRECTS} times`);
      const next = new URL(location, url);
      const headers = new Headers(request.headers);
      if (next.origin !== origin) for (const h of CREDENTIAL_HEADERS) headers.delete(h);
      const method = (request.method ?? "GET").toUpperCase();
      const toGet = res.status === 303 ? method !== "HEAD" : (res.status === 301 || res.status === 302) && method === "POST";
      if (!toGet && request.body && typeof request.body !== "string") throw fail("redirect_refused", `${url.host} redirected a streamed request`, { host: url.host });
      // (HEAD is never turned: it has no body to drop.)
      request = toGet ? { ...request, method: "GET", body: undefined, headers } : { ...request, headers };
      if (toGet) headers.delete("content-type");
      url = next;
    }
  };
}
