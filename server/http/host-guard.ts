// The names the node answers to: a DNS-rebinding guard. A page on another domain whose name is made
// to resolve to this node would otherwise talk to it with its own Host (and get a sign-in challenge
// for its own domain). Allowed: loopback names and addresses, this machine's own addresses and
// host name (and its .local mDNS name), configured names (PC2_HOST_NAMES, "*.x" for subdomains),
// and names added at run time (the public name, once the node has one). Anything else: 421.
import { hostname, networkInterfaces } from "node:os";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { fail } from "../errors.ts";
import { requestHost } from "./request-meta.ts";

const INTERFACES_TTL_MS = 5_000;

/** "host[:port]" → the bare lower-case name or address (brackets and a trailing dot removed). */
export function hostnameOf(hostHeader: string): string | null {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\[\]]+))(?::\d{1,5})?$/.exec(hostHeader.trim());
  if (!m) return null;
  return (m[1] ?? m[2]!).toLowerCase().replace(/\.$/, "");
}

export class HostGuard {
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];
  private ownAddresses = new Set<string>();
  private addressesReadAt = 0;

  constructor(
    names: readonly string[],
    readonly machineName = hostname().toLowerCase(),
  ) {
    for (const n of ["localhost", this.machineName, `${this.machineName}.local`, ...names]) this.allow(n);
  }

  /** Answer to `name` too (e.g. the public name the network gives the node). "*.x" allows subdomains of x. */
  allow(name: string): void {
    const n = name.toLowerCase().replace(/\.$/, "");
    if (n.startsWith("*.")) this.suffixes.push(n.slice(1));
    else this.exact.add(isIP(n) ? ipaddr.process(n).toString() : n);
  }

  private isOwnAddress(address: string): boolean {
    const now = Date.now();
    if (now - this.addressesReadAt > INTERFACES_TTL_MS) {
      this.ownAddresses = new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => ipaddr.process(i.address.split("%")[0]!).toString())));
      this.addressesReadAt = now;
    }
    return this.ownAddresses.has(address);
  }

  /** One of the node's own names by itself (not only under a wildcard): never a function's host. */
  namesExactly(name: string): boolean {
    return this.exact.has(name);
  }

  allows(name: string): boolean {
    if (isIP(name)) {
      const address = ipaddr.process(name);
      return address.range() === "loopback" || this.exact.has(address.toString()) || this.isOwnAddress(address.toString());
    }
    return this.exact.has(name) || name.endsWith(".localhost") || this.suffixes.some((s) => name.endsWith(s) && name.length > s.length);
  }

  /** Throws 421 unless the request's Host is one of the node's names. */
  check(request: Request): void {
    const host = requestHost(request);
    const name = hostnameOf(host);
    if (name !== null && this.allows(name)) return;
    throw fail("unknown_host", `This node does not answer to ${JSON.stringify(host.slice(0, 100))}; its owner can add the name to PC2_HOST_NAMES`);
  }
}
