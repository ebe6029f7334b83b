// The names a node is reached by on the LAN, for its self-signed certificate: localhost, the
// machine's host name and its .local (mDNS) name, the configured names, the address it listens on,
// and every address of this machine's interfaces (a phone on the Wi-Fi types 192.168.1.20).
import { hostname, networkInterfaces } from "node:os";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

export interface NodeNameFacts {
  /** PC2_HOST: a specific address or name is included; 0.0.0.0 and :: mean "every interface". */
  listenHost: string;
  /** PC2_HOST_NAMES ("*.example.com" kept as a wildcard name). */
  configured: readonly string[];
  machineName?: string;
  interfaces?: ReturnType<typeof networkInterfaces>;
}

export function nodeNames({ listenHost, configured, machineName = hostname(), interfaces = networkInterfaces() }: NodeNameFacts): string[] {
  const names = new Set<string>(["localhost", "127.0.0.1", "::1"]);
  const machine = machineName.toLowerCase();
  if (/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(machine)) names.add(machine).add(`${machine}.local`);
  for (const n of configured) names.add(n.toLowerCase());
  const wildcard = listenHost === "0.0.0.0" || listenHost === "::";
  if (!wildcard) names.add(isIP(listenHost) ? ipaddr.process(listenHost).toString() : listenHost.toLowerCase());
  for (const list of Object.values(interfaces)) {
    for (const i of list ?? []) {
      const address = i.address.split("%")[0]!;
      // Link-local IPv6 addresses need a zone that browsers cannot put in a URL.
      if (i.family === "IPv6" && ipaddr.parse(address).range() === "linkLocal") continue;
      if (wildcard || address === listenHost) names.add(ipaddr.process(address).toString());
    }
  }
  return [...names];
}
