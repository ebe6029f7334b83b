// Where connections relayed by the Active Proxy reach the node: a Unix socket (0600) in the data
// directory, served by its own listener so they are never taken for local ones.
export function relaySocketPath(dataDir: string): string {
  return `${dataDir}/relay.sock`;
}
