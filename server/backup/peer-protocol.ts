// How two PC2 nodes talk about backups: every request is signed by the guest's node key and names the
// host it is for, the moment it was made and a one-time nonce; every answer is signed by the host's
// node key over that nonce. So each side knows the other by its Node ID alone — through a relay, a
// self-signed certificate or plain HTTP on a LAN — and a captured request cannot be replayed or sent
// to another node. The bodies are sealed chunks and manifests: the host never sees plaintext.
import { createHash, randomBytes } from "node:crypto";
import { Id } from "../boson/id.ts";
import { type KeyPair, verifySignature } from "../boson/keys.ts";

export const PEER_HEADER = {
  from: "pc2-backup-from",
  to: "pc2-backup-to",
  time: "pc2-backup-time",
  nonce: "pc2-backup-nonce",
  signature: "pc2-backup-signature",
} as const;

/** How far a request's time may be from the host's clock (home machines' clocks drift). */
export const CLOCK_SKEW_MS = 5 * 60_000;
const NONCE = /^[0-9a-f]{32}$/;
const DOMAIN = "PC2 peer backup v1";

const sha256 = (body: Uint8Array) => createHash("sha256").update(body).digest("hex");
const utf8 = (s: string) => new TextEncoder().encode(s);

function requestText(method: string, path: string, from: string, to: string, time: string, nonce: string, body: Uint8Array): Uint8Array {
  return utf8([DOMAIN, "request", method.toUpperCase(), path, from, to, time, nonce, sha256(body)].join("\n"));
}

function answerText(nonce: string, status: number, body: Uint8Array): Uint8Array {
  return utf8([DOMAIN, "answer", nonce, String(status), sha256(body)].join("\n"));
}

/** The headers that sign one request from `keys` to the node `to`. */
export function signRequest(keys: KeyPair, to: string, method: string, path: string, body: Uint8Array, now = Date.now()): Record<string, string> {
  const from = keys.id.toString();
  const time = String(now);
  const nonce = randomBytes(16).toString("hex");
  const signature = Buffer.from(keys.sign(requestText(method, path, from, to, time, nonce, body))).toString("base64url");
  return { [PEER_HEADER.from]: from, [PEER_HEADER.to]: to, [PEER_HEADER.time]: time, [PEER_HEADER.nonce]: nonce, [PEER_HEADER.signature]: signature };
}

export type RequestCheck = { ok: true; from: string; nonce: string } | { ok: false; reason: string };

/** Who sent a request, or why it is not a valid one for the node `self` at `now` (the nonce's freshness is the caller's). */
export function checkRequest(self: string, headers: Headers, method: string, path: string, body: Uint8Array, now = Date.now()): RequestCheck {
  const from = headers.get(PEER_HEADER.from) ?? "";
  const to = headers.get(PEER_HEADER.to) ?? "";
  const time = headers.get(PEER_HEADER.time) ?? "";
  const nonce = headers.get(PEER_HEADER.nonce) ?? "";
  const signature = Buffer.from(headers.get(PEER_HEADER.signature) ?? "", "base64url");
  let signer: Id;
  try {
    signer = Id.parse(from);
  } catch {
    return { ok: false, reason: "the request does not say which node sent it" };
  }
  if (to !== self) return { ok: false, reason: "the request is for another node" };
  if (!/^\d{1,15}$/.test(time) || Math.abs(Number(time) - now) > CLOCK_SKEW_MS) return { ok: false, reason: "the request's time is too far from this node's clock (check both clocks)" };
  if (!NONCE.test(nonce)) return { ok: false, reason: "the request has no valid nonce" };
  if (!verifySignature(signer, requestText(method, path, from, to, time, nonce, body), signature)) return { ok: false, reason: "the request's signature is not valid" };
  return { ok: true, from: signer.toString(), nonce };
}

/** The header that signs the host's answer to the request with `nonce`. */
export function signAnswer(keys: KeyPair, nonce: string, status: number, body: Uint8Array): string {
  return Buffer.from(keys.sign(answerText(nonce, status, body))).toString("base64url");
}

/** Whether `host` signed this answer to our request with `nonce`. */
export function answerIsFrom(host: string, nonce: string, status: number, body: Uint8Array, signature: string | null): boolean {
  if (!signature) return false;
  try {
    return verifySignature(Id.parse(host), answerText(nonce, status, body), Buffer.from(signature, "base64url"));
  } catch {
    return false;
  }
}

/**
 * The nonces seen within the clock window, per sender: a request seen before is a replay. Bounded:
 * a sender with too many live nonces is told to slow down rather than let the set grow.
 */
export class NonceLedger {
  private readonly seen = new Map<string, Map<string, number>>();
  private sweptAt = 0;

  constructor(
    private readonly maxPerSender = 200_000,
    private readonly windowMs = 2 * CLOCK_SKEW_MS,
  ) {}

  /** "fresh" and remembered, "replay", or "full" (too many from this sender right now). */
  admit(sender: string, nonce: string, now = Date.now()): "fresh" | "replay" | "full" {
    // Nonces older than the window can never be replayed (their time is refused): forget them.
    if (now - this.sweptAt > this.windowMs) {
      this.sweptAt = now;
      for (const [who, list] of this.seen) {
        for (const [n, at] of list) if (now - at > this.windowMs) list.delete(n);
        if (list.size === 0) this.seen.delete(who);
      }
    }
    let nonces = this.seen.get(sender);
    if (!nonces) this.seen.set(sender, (nonces = new Map()));
    if (nonces.has(nonce)) return "replay";
    if (nonces.size >= this.maxPerSender) {
      for (const [n, at] of nonces) if (now - at > this.windowMs) nonces.delete(n);
      if (nonces.size >= this.maxPerSender) return "full";
    }
    nonces.set(nonce, now);
    return "fresh";
  }
}
