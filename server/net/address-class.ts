// Which addresses the node may dial on a user's behalf: every IPv4 and IPv6 form, including IPv4
// embedded in IPv6 (mapped, SIIT, NAT64, 6to4), classified on the address itself (ipaddr.js).
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * public: the internet, for anyone. lan: loopback, private, CGNAT and unique-local ranges, which
 * only the Owner and Admins may reach. never: link-local (cloud metadata), multicast, broadcast,
 * unspecified, reserved, deprecated and tunnelling ranges, which nobody may reach from the node.
 */
export type AddressTier = "public" | "lan" | "never";

export interface AddressClass {
  tier: AddressTier;
  /** ipaddr.js's name for the range (e.g. "loopback", "linkLocal"), or ours for the extra rules. */
  range: string;
}

const RANK: Record<AddressTier, number> = { public: 0, lan: 1, never: 2 };
const LAN_RANGES = new Set(["loopback", "private", "carrierGradeNat", "uniqueLocal"]);
/** Cloud metadata services outside link-local: Alibaba (in CGNAT) and AWS's IPv6 one (in ULA). */
const METADATA = new Set(["100.100.100.200", "fd00:ec2::254"]);

const stricter = (a: AddressClass, b: AddressClass): AddressClass => (RANK[b.tier] > RANK[a.tier] ? b : a);

function fromRange(range: string): AddressClass {
  if (range === "unicast") return { tier: "public", range };
  return { tier: LAN_RANGES.has(range) ? "lan" : "never", range };
}

function v4FromBytes(bytes: number[], at: number): ipaddr.IPv4 {
  return new ipaddr.IPv4(bytes.slice(at, at + 4));
}

/** The IPv4 address an IPv6 address carries, if it is one of the embedding forms. */
function embeddedV4(v6: ipaddr.IPv6): ipaddr.IPv4 | null {
  const bytes = v6.toByteArray();
  const words = v6.parts;
  const zeros = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zeros(0, 5) && words[5] === 0xffff) return v4FromBytes(bytes, 12); // ::ffff:a.b.c.d (mapped)
  if (zeros(0, 4) && words[4] === 0xffff && words[5] === 0) return v4FromBytes(bytes, 12); // ::ffff:0:a.b.c.d (SIIT)
  if (words[0] === 0x64 && words[1] === 0xff9b) return v4FromBytes(bytes, 12); // NAT64, well-known and local-use
  if (words[0] === 0x2002) return v4FromBytes(bytes, 2); // 6to4
  if (zeros(0, 6)) return v4FromBytes(bytes, 12); // ::a.b.c.d (IPv4-compatible, deprecated), also :: and ::1
  return null;
}

/** Classify one literal address (no brackets, no zone). Anything unparsable is "never". */
export function classifyAddress(address: string): AddressClass {
  // ipaddr.js reads "::a.b.c.d" as mapped; the URL standard's canonical form keeps it apart.
  let literal = address;
  if (address.includes(":")) {
    try {
      literal = new URL(`http://[${address}]/`).hostname.slice(1, -1);
    } catch {
      return { tier: "never", range: "invalid" };
    }
  }
  // Only canonical literals (what resolvers return); "1.2.3" and friends are not addresses here.
  if (isIP(literal) === 0 || !ipaddr.isValid(literal)) return { tier: "never", range: "invalid" };
  const parsed = ipaddr.parse(literal);
  if (METADATA.has(parsed.toString())) return { tier: "never", range: "metadata" };
  if (parsed.kind() === "ipv4") return fromRange(parsed.range());

  const v6 = parsed as ipaddr.IPv6;
  const words = v6.parts;
  // Teredo hides its client's address behind a XOR; the NAT64 local-use prefix may sit on a LAN.
  if (words[0] === 0x2001 && words[1] === 0) return { tier: "never", range: "teredo" };
  const outer = words.slice(0, 7).every((w) => w === 0) && words[7]! <= 1 ? fromRange(v6.range()) : null;
  if (outer) return outer; // :: (unspecified) and ::1 (loopback) are IPv6's own
  const inner = embeddedV4(v6);
  if (inner) {
    const innerClass = classifyAddress(inner.toString());
    const viaRange = words[0] === 0x64 && words[1] === 0xff9b && words[2] === 1 ? { tier: "lan" as const, range: "nat64LocalUse" } : { tier: "public" as const, range: v6.range() };
    const compatible = words.slice(0, 6).every((w) => w === 0) ? { tier: "never" as const, range: "ipv4Compatible" } : viaRange;
    return stricter(compatible, { tier: innerClass.tier, range: `${compatible.range}(${innerClass.range})` });
  }
  return fromRange(v6.range());
}

/** Whether `tier` may be dialled by someone allowed to reach `reach`. */
export function reachable(tier: AddressTier, reach: "public" | "lan"): boolean {
  return tier === "public" || (tier === "lan" && reach === "lan");
}
