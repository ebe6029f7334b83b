// Connections relayed by the Active Proxy reach the node on a listener of their own, on a loopback
// port, and are never taken for local ones. Each arrives from a local port the node's own proxy
// client opened, so the client address the super node gave for it (in CONNECT) can be looked up:
// a relayed request's client is "relay:<address>" — a key that tells clients apart for rate limits
// and logs, and that no loopback or LAN check ever matches.
import { clientKey } from "../net/client-key.ts";

export const RELAYED_PREFIX = "relay:";

export class RelayedClients {
  /** The relay listener's loopback port; 0 until it listens. */
  port = 0;
  /** The TLS relay listener's port, where TLS passed through the gateway ends; 0: TLS is off. */
  tlsPort = 0;
  private readonly byPort = new Map<number, string>();

  /** A relayed connection opened from `localPort` for the external client at `address`; returns its cleanup. */
  opened(localPort: number, address: string): () => void {
    this.byPort.set(localPort, address);
    return () => {
      if (this.byPort.get(localPort) === address) this.byPort.delete(localPort);
    };
  }

  /** The client of a request that reached the relay listener from `peerPort`. */
  clientOf(peerPort: number | undefined): string {
    const address = peerPort === undefined ? undefined : this.byPort.get(peerPort);
    // A connection the proxy client did not open (another local process) is "relay:unknown".
    return `${RELAYED_PREFIX}${address ? clientKey(address) : "unknown"}`;
  }
}
