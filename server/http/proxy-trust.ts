// Who the client is and which scheme it used, believing X-Forwarded-For / X-Forwarded-Proto only
// when the TCP peer is a configured reverse proxy (PC2_TRUSTED_PROXIES). Anyone else can write
// those headers, so for everyone else the peer address and the listener's own scheme count.
import ipaddr from "ipaddr.js";

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

export interface ClientFacts {
  ip: string;
  protocol: "http:" | "https:";
}

function parse(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  return ipaddr.isValid(ip) ? ipaddr.process(ip) : null;
}

export class ProxyTrust {
  private readonly ranges: Range[];

  /** `entries`: IPs or CIDRs (validated by the config). */
  constructor(entries: readonly string[]) {
    this.ranges = entries.map((e) => {
      if (e.includes("/")) {
        const [addr, bits] = ipaddr.parseCIDR(e);
        // ::ffff:10.0.0.0/104 means 10.0.0.0/8: compare it as IPv4, like the peers it should match.
        const mapped = addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress();
        return (mapped ? [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96] : [addr, bits]) as Range;
      }
      const addr = ipaddr.process(e);
      return [addr, addr.kind() === "ipv4" ? 32 : 128] as Range;
    });
  }

  trusts(ip: string): boolean {
    // No proxies configured (the usual node): nothing to parse. Parsing an address costs tens of
    // microseconds, and every request asks about its peer.
    if (this.ranges.length === 0) return false;
    const addr = parse(ip);
    return addr !== null && this.ranges.some(([range, bits]) => range.kind() === addr.kind() && addr.match(range as never, bits));
  }

  /** The client's address and scheme for a request that arrived from `peer` over `scheme`. */
  resolve(peer: string, scheme: "http:" | "https:", headers: Headers): ClientFacts {
    if (!this.trusts(peer)) return { ip: peer, protocol: scheme };
    // The rightmost address not one of our proxies is the client (the left part is the client's own word).
    const chain = (headers.get("x-forwarded-for") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    let ip = peer;
    for (let i = chain.length - 1; i >= 0; i--) {
      const hop = chain[i]!;
      if (!parse(hop)) break;
      ip = parse(hop)!.toString();
      if (!this.trusts(hop)) break;
    }
    const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
    return { ip, protocol: proto === "https" ? "https:" : proto === "http" ? "http:" : scheme };
  }
}
