// Which client a request counts against, from its address.
import ipaddr from "ipaddr.js";

/**
 * The key a client is limited by: its IPv4 address, or its IPv6 /64 (one home or host gets a whole
 * /64 and can rotate through it). Budgets are charged to whoever asks, never to the account asked
 * about, so no client can spend another's.
 */
export function clientKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const parsed = ipaddr.process(ip); // ::ffff:a.b.c.d → a.b.c.d
  if (parsed.kind() === "ipv4") return parsed.toString();
  return `${(parsed as ipaddr.IPv6).parts
    .slice(0, 4)
    .map((w) => w.toString(16))
    .join(":")}::/64`;
}
