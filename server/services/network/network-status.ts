// What the network service reports: its state, and the answer to a look-up (shared with events and the web client).
import type { RelayStatus } from "./network-relay.ts";

export type NetworkState = "off" | "starting" | "online" | "alone" | "failed";

export interface NetworkStatus {
  /** Grows with each change: of two statuses, the one with the higher revision is newer. */
  revision: number;
  enabled: boolean;
  state: NetworkState;
  /** What the state means, for people. */
  summary: string;
  nodeId: string;
  did: string;
  mode: "node" | "super";
  udpPort: number | null;
  families: { family: 4 | 6; address: string; routingTableSize: number }[];
  bootstrap: { nodeId: string; address: string; reachable: boolean }[];
  lastAnnounce: string | null;
  /** The public URL the Active Proxy gives this node (http://<super node>:<port>), once online. */
  publicEndpoint: string | null;
  /**
   * The node's name at a gateway (http://<name>.<domain>): configured means a gateway URL is set;
   * httpsUrl, when the gateway passes TLS through to the node (end to end: the node's certificate).
   */
  publicName: { configured: boolean; name: string | null; url: string | null; httpsUrl: string | null; error: string | null };
  relay: RelayStatus;
  stored: { values: number; peers: number };
  traffic: { sent: number; received: number; timeouts: number; badPackets: number; dropped: number };
  error: string | null;
}

export interface LookupAnswer {
  nodeId: string;
  did: string;
  found: boolean;
  /** The node's DHT address, when a node with that ID answered. */
  address: string | null;
  /** Its peer record: where it serves PC2, signed by its key. */
  endpoints: { port: number; url: string | null; via: string }[];
  /** What the node said about itself (PC2 nodes only), signed by its key and checked: null if it did not answer node_info. */
  info: { version: string; endpoint: string | null; signedAt: string } | null;
  ms: number;
}
