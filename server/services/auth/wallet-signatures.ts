// Ethereum addresses and signed messages (EIP-55 checksums, EIP-191 signature recovery), by ethers,
// loaded on first use: only a sign-in needs it, and evaluated at every start it kept about 5 MiB of
// an idle node's memory (docs/performance.md, start-up).
type Ethers = typeof import("ethers");

let ethers: Ethers | null = null;

/** Bun's synchronous require of an ES module: evaluated once, when first asked for. */
function lib(): Ethers {
  ethers ??= require("ethers") as Ethers;
  return ethers;
}

/**
 * Is this an Ethereum address: 0x and 40 hex digits, in any case (no checksum asked for — callers
 * compare addresses lowercased). The same rule as the HTTP schemas' pattern; needs no library.
 */
export function isWalletAddress(value: string): boolean {
  return /^0x[0-9a-fA-F]{40}$/.test(value);
}

/** The address in its EIP-55 checksummed form (throws on an invalid address). */
export function checksummedAddress(value: string): string {
  return lib().getAddress(value);
}

/** The address that signed `message` (EIP-191 personal_sign); throws on a malformed signature. */
export function signerOf(message: string, signature: string): string {
  return lib().verifyMessage(message, signature);
}
