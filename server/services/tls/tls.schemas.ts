// Input of the TLS routes.
import { t } from "elysia";

/** An ACME token: base64url, as RFC 8555 §8.3 makes them. */
export const AcmeTokenParams = t.Object({ token: t.String({ pattern: "^[A-Za-z0-9_-]{16,256}$" }) });
