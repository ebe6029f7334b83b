// HTTP-01 challenge answers (RFC 8555 §8.3) while an order is open: the CA fetches
// http://<name>/.well-known/acme-challenge/<token> on port 80 and must read the key authorization.
// Only tokens of open orders are answered; anything else under the path is a 404.

export const ACME_CHALLENGE_PREFIX = "/.well-known/acme-challenge/";
/** A token is base64url (RFC 8555 §8.3: at least 128 bits of entropy). */
const TOKEN = /^[A-Za-z0-9_-]{16,256}$/;

export class AcmeChallenges {
  private readonly answers = new Map<string, string>();

  set(token: string, keyAuthorization: string): void {
    if (!TOKEN.test(token)) throw new Error("not an ACME token");
    this.answers.set(token, keyAuthorization);
  }

  delete(token: string): void {
    this.answers.delete(token);
  }

  /** The key authorization for a request path, or null when the path is not an open challenge. */
  answer(path: string): string | null {
    if (!path.startsWith(ACME_CHALLENGE_PREFIX)) return null;
    const token = path.slice(ACME_CHALLENGE_PREFIX.length);
    return TOKEN.test(token) ? (this.answers.get(token) ?? null) : null;
  }

  get open(): number {
    return this.answers.size;
  }
}
