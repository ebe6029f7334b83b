// EIP-4361 (Sign-In with Ethereum) messages, built by the server for the host the browser used.

export interface SiweFields {
  domain: string;
  /** EIP-55 checksummed address. */
  address: string;
  statement: string;
  uri: string;
  chainId: number;
  nonce: string;
  issuedAt: Date;
  expirationTime: Date;
}

export function buildSiweMessage(f: SiweFields): string {
  return [
    `${f.domain} wants you to sign in with your Ethereum account:`,
    f.address,
    "",
    f.statement,
    "",
    `URI: ${f.uri}`,
    "Version: 1",
    `Chain ID: ${f.chainId}`,
    `Nonce: ${f.nonce}`,
    `Issued At: ${f.issuedAt.toISOString()}`,
    `Expiration Time: ${f.expirationTime.toISOString()}`,
  ].join("\n");
}

/** The nonce line of a message, the key to the server's record of what it issued. */
export function nonceOf(message: string): string | null {
  return /\nNonce: ([A-Za-z0-9]{8,64})\n/.exec(message)?.[1] ?? null;
}
