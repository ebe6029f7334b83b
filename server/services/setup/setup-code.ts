// One-time setup codes: readable random codes, stored only as an argon2id hash.
import { randomInt } from "node:crypto";

// Crockford's base32 alphabet: no I, L, O or U, so codes survive being read aloud or retyped.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** 15 symbols × 5 bits = 75 bits, shown as XXXXX-XXXXX-XXXXX. */
export function generateSetupCode(): string {
  const chars = Array.from({ length: 15 }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return [chars.slice(0, 5), chars.slice(5, 10), chars.slice(10)].map((g) => g.join("")).join("-");
}

/** Generated codes are compared without dashes, spaces or case; a preset code is used as given. */
export function canonicalSetupCode(input: string): string {
  const compact = input.trim().toUpperCase().replace(/[\s-]/g, "");
  return /^[0-9A-HJKMNP-TV-Z]{15}$/.test(compact) ? compact : input.trim();
}

export function hashSetupCode(code: string): Promise<string> {
  return Bun.password.hash(canonicalSetupCode(code), { algorithm: "argon2id", memoryCost: 19456, timeCost: 2 });
}

export async function setupCodeMatches(code: string, hash: string): Promise<boolean> {
  if (!code || code.length > 256) return false;
  try {
    return await Bun.password.verify(canonicalSetupCode(code), hash);
  } catch {
    return false;
  }
}
