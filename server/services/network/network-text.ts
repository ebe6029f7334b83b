// The network's status and look-ups as text for people (`pc2 network status|lookup`).
import type { LookupAnswer, NetworkStatus } from "./network-status.ts";

export function formatNetworkStatus(s: NetworkStatus): string {
  const lines = [s.summary, "", `Node ID:     ${s.nodeId}`, `DID:         ${s.did}`, `Networking:  ${s.enabled ? "on" : "off"} (${s.state}), ${s.mode === "super" ? "super node" : "ordinary node"}`];
  if (s.udpPort !== null) lines.push(`UDP port:    ${s.udpPort}`);
  for (const f of s.families) lines.push(`IPv${f.family}:        ${f.address}, ${f.routingTableSize} node${f.routingTableSize === 1 ? "" : "s"} known`);
  if (s.bootstrap.length) lines.push(`Bootstrap:   ${s.bootstrap.filter((b) => b.reachable).length} of ${s.bootstrap.length} answered`);
  lines.push(`Announced:   ${s.lastAnnounce ?? "not yet"}`, `Public URL:  ${s.publicEndpoint ?? (s.relay.client?.reason ? `none (${s.relay.client.reason})` : "none yet")}`);
  if (s.publicName.name) lines.push(`Name:        ${s.publicName.httpsUrl ?? s.publicName.url}${s.publicName.httpsUrl ? ` (end to end; also ${s.publicName.url})` : ""}`);
  if (s.publicName.error) lines.push(`Name error:  ${s.publicName.error}`);
  if (s.relay.server) lines.push(`Relay:       ${s.relay.server.sessions} nodes connected on port ${s.relay.server.port}, ${s.relay.server.connectionsRelayed} connections relayed`);
  if (s.stored.values || s.stored.peers) lines.push(`Holding:     ${s.stored.values} values, ${s.stored.peers} peer records for the network`);
  if (s.error) lines.push(`Error:       ${s.error}`);
  return lines.join("\n");
}

export function formatLookup(a: LookupAnswer): string {
  if (!a.found) return `${a.nodeId}: not found on the network (${a.ms} ms)`;
  const lines = [`${a.nodeId}: found (${a.ms} ms)`, `DHT address: ${a.address ?? "unknown"}`];
  if (a.info) lines.push(`Runs:        ${a.info.version} (signed by its key at ${a.info.signedAt})`);
  for (const e of a.endpoints) lines.push(`PC2:         ${e.url ?? `port ${e.port}`}${e.via === a.nodeId ? "" : ` (announced by ${e.via})`}`);
  if (!a.endpoints.length) lines.push("PC2:         no peer record (the node may not run PC2, or has not announced yet)");
  return lines.join("\n");
}
