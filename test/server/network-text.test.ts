// `pc2 network status` as text: the public address, and the name (end to end when the gateway passes HTTPS).
import { expect, test } from "bun:test";
import type { NetworkStatus } from "../../server/services/network/network-status.ts";
import { formatNetworkStatus } from "../../server/services/network/network-text.ts";

const base: NetworkStatus = {
  revision: 1,
  enabled: true,
  state: "online",
  summary: "On the Boson network.",
  nodeId: "NODE",
  did: "did:boson:NODE",
  mode: "node",
  udpPort: 39001,
  families: [],
  bootstrap: [],
  lastAnnounce: null,
  publicEndpoint: "http://203.0.113.5:25001",
  publicName: { configured: true, name: null, url: null, httpsUrl: null, error: null },
  relay: { client: null, server: null } as unknown as NetworkStatus["relay"],
  stored: { values: 0, peers: 0 },
  traffic: { sent: 0, received: 0, timeouts: 0, badPackets: 0, dropped: 0 },
  error: null,
};

test("the name: plain, end to end, and a failed re-registration", () => {
  expect(formatNetworkStatus(base)).not.toContain("Name:");
  expect(formatNetworkStatus(base)).toContain("Public URL:  http://203.0.113.5:25001");
  const plain = formatNetworkStatus({ ...base, publicName: { configured: true, name: "alice", url: "http://alice.pc2.example", httpsUrl: null, error: null } });
  expect(plain).toMatch(/^Name: {8}http:\/\/alice\.pc2\.example$/m);
  const e2e = formatNetworkStatus({ ...base, publicName: { configured: true, name: "alice", url: "http://alice.pc2.example", httpsUrl: "https://alice.pc2.example", error: null } });
  expect(e2e).toContain("Name:        https://alice.pc2.example (end to end; also http://alice.pc2.example)");
  const failed = formatNetworkStatus({ ...base, publicName: { configured: true, name: "alice", url: "http://alice.pc2.example", httpsUrl: null, error: "the gateway did not answer" } });
  expect(failed).toContain("Name error:  the gateway did not answer");
});
