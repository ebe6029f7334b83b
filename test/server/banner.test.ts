// The start banner: the public side is shown when networking is on with a super node, and only then.
import { expect, test } from "bun:test";
import { formatBanner } from "../../server/banner.ts";

const facts = {
  url: "http://127.0.0.1:4200",
  version: "1.0.0",
  dataDir: "/var/lib/pc2",
  identity: { nodeId: "NODEID", did: "did:boson:NODEID", publicKey: "00", phrasePending: false },
  setup: { claimed: true, code: null, source: null },
} as unknown as Parameters<typeof formatBanner>[0];

test("no super node: no public line", () => {
  expect(formatBanner(facts)).not.toContain("Public:");
});

test("with a super node: connecting, then the address and the name", () => {
  const connecting = formatBanner({ ...facts, relay: { superNode: "SN@relay.example:8090", endpoint: null, name: null } });
  expect(connecting).toContain("  Public:    connecting through SN@relay.example:8090…");
  expect(connecting).not.toContain("Name:");
  const up = formatBanner({ ...facts, relay: { superNode: "SN@relay.example:8090", endpoint: "http://relay.example:25001", name: "http://alice.pc2.example" } });
  expect(up).toContain("  Public:    http://relay.example:25001\n  Name:      http://alice.pc2.example\n  Node ID:   NODEID");
});
