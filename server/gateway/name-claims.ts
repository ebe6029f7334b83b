// A node's signed claim on a name: register or release, signed by the node key (its Node ID is its
// Ed25519 public key), with a timestamp and a random nonce so a captured claim cannot be replayed.
// The deployed gateway took any unsigned POST and let anyone overwrite any name; this one does not.
import { randomBytes } from "node:crypto";
import { Id } from "../boson/id.ts";
import { type KeyPair, verifySignature } from "../boson/keys.ts";

export type ClaimAction = "register" | "release";

export interface NameClaim {
  action: ClaimAction;
  username: string;
  nodeId: string;
  /** Unix seconds. */
  timestamp: number;
  /** 16 random bytes, hex. */
  nonce: string;
  /** Ed25519 signature of claimMessage(), hex. */
  signature: string;
}

/** How far a claim's clock may be from the gateway's. */
export const CLAIM_SKEW_S = 300;

/** The exact bytes signed: one field per line, after a tag that keeps them from meaning anything else. */
export function claimMessage(c: Omit<NameClaim, "signature">): Uint8Array {
  return new TextEncoder().encode(["pc2-name-claim/1", c.action, c.username, c.nodeId, String(c.timestamp), c.nonce].join("\n"));
}

export function signClaim(keys: KeyPair, action: ClaimAction, username: string, now = Date.now()): NameClaim {
  const unsigned = { action, username, nodeId: keys.id.toString(), timestamp: Math.floor(now / 1000), nonce: randomBytes(16).toString("hex") };
  return { ...unsigned, signature: Buffer.from(keys.sign(claimMessage(unsigned))).toString("hex") };
}

export type ClaimCheck = { ok: true; nodeId: Id } | { ok: false; code: "invalid_claim" | "claim_expired" | "claim_replayed" | "invalid_signature"; reason: string };

/** Checks a claim's form, clock, signature and freshness; remembers its nonce until it would expire anyway. */
export class ClaimVerifier {
  private readonly seen = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  verify(c: NameClaim, action: ClaimAction): ClaimCheck {
    if (c.action !== action) return { ok: false, code: "invalid_claim", reason: `this claim is for '${c.action}', not '${action}'` };
    if (!/^[0-9a-f]{32}$/.test(c.nonce)) return { ok: false, code: "invalid_claim", reason: "the nonce is 16 bytes in hex" };
    if (!/^[0-9a-f]{128}$/.test(c.signature)) return { ok: false, code: "invalid_claim", reason: "the signature is 64 bytes in hex" };
    let nodeId: Id;
    try {
      nodeId = Id.parse(c.nodeId);
    } catch {
      return { ok: false, code: "invalid_claim", reason: "nodeId is not a Node ID" };
    }
    const nowS = Math.floor(this.now() / 1000);
    if (!Number.isSafeInteger(c.timestamp) || Math.abs(nowS - c.timestamp) > CLAIM_SKEW_S) {
      return { ok: false, code: "claim_expired", reason: `the claim's timestamp is more than ${CLAIM_SKEW_S} s from the gateway's clock` };
    }
    if (!verifySignature(nodeId, claimMessage(c), Buffer.from(c.signature, "hex"))) return { ok: false, code: "invalid_signature", reason: "the signature is not by the key of nodeId" };
    this.sweep(nowS);
    const key = `${nodeId.toString()}:${c.nonce}`;
    if (this.seen.has(key)) return { ok: false, code: "claim_replayed", reason: "this claim was used already" };
    this.seen.set(key, c.timestamp + CLAIM_SKEW_S);
    return { ok: true, nodeId };
  }

  private sweep(nowS: number): void {
    if (this.seen.size < 10_000) return;
    for (const [k, until] of this.seen) if (until < nowS) this.seen.delete(k);
  }
}
