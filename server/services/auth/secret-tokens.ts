// Bearer secrets: 256 random bits with a type prefix; only their SHA-256 is ever stored.
import { createHash, randomBytes } from "node:crypto";

export const SESSION_PREFIX = "pc2s_";
export const API_TOKEN_PREFIX = "pc2_";

export function newSecret(prefix: string): string {
  return prefix + randomBytes(32).toString("base64url");
}

/** Public identifier for listing and revoking (not a secret). */
export function newId(): string {
  return randomBytes(12).toString("base64url");
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** Only strings of our exact shape are looked up at all. */
export function secretKind(value: string): "session" | "token" | null {
  if (!/^pc2s?_[A-Za-z0-9_-]{43}$/.test(value)) return null;
  return value.startsWith(SESSION_PREFIX) ? "session" : "token";
}
