// The start banner an operator reads: where the node is, who it is, and how to claim it.
import type { PublicIdentity } from "./services/identity/identity.service.ts";
import type { SetupStatus } from "./services/setup/setup.service.ts";

export interface BannerFacts {
  url: string;
  version: string;
  dataDir: string;
  identity: PublicIdentity;
  setup: SetupStatus;
  /** The public side, when networking is on with a super node: its address (once up), the super node, the name. */
  relay?: { superNode: string; endpoint: string | null; name: string | null } | null;
  /** HTTPS: how the certificate was made, its SHA-256 fingerprint and end (null: TLS off). */
  tls?: { mode: "self-signed" | "files" | "acme"; selfSigned: boolean; fingerprint: string; notAfter: string } | null;
}

export function formatBanner({ url, version, dataDir, identity, setup, relay, tls }: BannerFacts): string {
  const lines = ["", `  PC2 ${version} is running`, "", `  Open:      ${url}`];
  if (tls?.selfSigned) {
    if (tls.mode === "acme") lines.push("  TLS:       asking the ACME CA for a certificate (logged, and shown in Settings › Network); until it comes:");
    lines.push(`  TLS:       self-signed certificate; the browser warns once. Before you accept it, check that it shows this SHA-256 fingerprint:`, `             ${tls.fingerprint}`);
  } else if (tls) lines.push(`  TLS:       certificate from ${tls.mode === "files" ? "your files" : "the ACME CA"}, valid until ${tls.notAfter.slice(0, 10)}, SHA-256 ${tls.fingerprint}`);
  if (relay) {
    lines.push(`  Public:    ${relay.endpoint ?? `connecting through ${relay.superNode}… (logged, and shown in Settings › Network, once up)`}`);
    if (relay.name) lines.push(`  Name:      ${relay.name}`);
  }
  lines.push(`  Node ID:   ${identity.nodeId}`, `  DID:       ${identity.did}`, `  Data:      ${dataDir}`, "");
  if (!setup.claimed && setup.code) {
    lines.push(
      `  Setup code: ${setup.code}${setup.source === "preset" ? "   (from PC2_SETUP_CODE)" : ""}`,
      "  The first wallet that signs in with this code becomes the Owner.",
      setup.source === "preset" ? "  It stays valid until it is used." : "  A new code is printed each time the node starts, until the node is claimed.",
      "",
    );
  } else if (!setup.claimed && setup.source === "reset") {
    lines.push("  Setup code: the one `pc2 owner reset` printed. The first wallet that signs in with it becomes the Owner.", "");
  }
  if (identity.phrasePending) {
    lines.push("  Your recovery phrase is waiting in the desktop: the Owner sees it at each sign-in until they confirm", "  they wrote it down. Then it is erased from this node for good.", "");
  }
  return lines.join("\n");
}
