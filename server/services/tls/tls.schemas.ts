// Input of the TLS routes.
import { t } from "elysia";

/** An ACME token: base64url, as RFC 8555 §8.3 makes them. */
export const AcmeTokenParams = t.Object({ token: t.String({ pattern: "^[A-Za-z0-9_-]{16,256}$" }) });

const DNS_NAME = "^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$";

/** The Owner's choice in Settings. */
export const TlsChoiceBody = t.Object({
  mode: t.Union([t.Literal("self-signed"), t.Literal("acme")]),
  names: t.Optional(t.Array(t.String({ pattern: DNS_NAME, maxLength: 253 }), { maxItems: 20 })),
  email: t.Optional(t.Union([t.String({ pattern: "^[^\\s@]{1,64}@[^\\s@]{1,255}$" }), t.Null()])),
});
