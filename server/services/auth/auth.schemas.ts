// Input schemas of sign-in, users and API tokens (one per operation; their types are the services' inputs).
import { t } from "elysia";
import { SCOPES } from "../../principal.ts";
import type { Static } from "../../http/schema.ts";

const Address = t.String({ pattern: "^0x[0-9a-fA-F]{40}$", description: "a 0x-prefixed Ethereum address" });

export const ChallengeBody = t.Object({ address: Address, chainId: t.Optional(t.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })) });
export type ChallengeBody = Static<typeof ChallengeBody>;

export const LoginBody = t.Object({
  message: t.String({ minLength: 1, maxLength: 2048 }),
  signature: t.String({ pattern: "^0x[0-9a-fA-F]{130}$", description: "a 65-byte hex signature" }),
  setupCode: t.Optional(t.Union([t.String({ maxLength: 256 }), t.Null()])),
});
export type LoginBody = Static<typeof LoginBody>;

export const SessionParams = t.Object({ id: t.String({ maxLength: 100 }) });

const GrantableRole = t.Union([t.Literal("admin"), t.Literal("member")]);
export const InviteBody = t.Object({ address: Address, role: GrantableRole });
export type InviteBody = Static<typeof InviteBody>;
/** A change to a user: their role, their name (null: none), or both. */
export const UserChangeBody = t.Object({
  role: t.Optional(GrantableRole),
  name: t.Optional(t.Union([t.String({ minLength: 1, maxLength: 64, pattern: "^[^\\x00-\\x1f\\x7f]+$" }), t.Null()])),
});
export type UserChangeBody = Static<typeof UserChangeBody>;
export const UserParams = t.Object({ address: t.String({ maxLength: 100 }) });

export const CreateTokenBody = t.Object({
  name: t.String({ minLength: 1, maxLength: 64, pattern: "^[^\\x00-\\x1f\\x7f]+$" }),
  scopes: t.Array(t.Union(SCOPES.map((s) => t.Literal(s))), { minItems: 1, maxItems: SCOPES.length, uniqueItems: true }),
  expiresInDays: t.Optional(t.Integer({ minimum: 1, maximum: 3650 })),
});
export type CreateTokenBody = Static<typeof CreateTokenBody>;
export const TokenParams = t.Object({ id: t.String({ maxLength: 100 }) });
