// Who is calling: roles, scopes, and the principal every authenticated request and socket carries (a leaf: imports nothing).

export const ROLES = ["member", "admin", "owner"] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = ["files:read", "files:write", "wasm:run", "wasm:install", "functions:deploy", "ai:chat", "ai:models", "admin", "metrics"] as const;
export type Scope = (typeof SCOPES)[number];

/** What each role may do at most; a token's scopes are always cut down to its owner's current role. */
export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  member: ["files:read", "files:write", "ai:chat"],
  admin: ["files:read", "files:write", "wasm:run", "wasm:install", "functions:deploy", "ai:chat", "ai:models"],
  owner: SCOPES,
};

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function isScope(value: unknown): value is Scope {
  return typeof value === "string" && (SCOPES as readonly string[]).includes(value);
}

export interface Principal {
  kind: "session" | "token";
  /** Lowercase 0x address of the wallet. */
  address: string;
  role: Role;
  scopes: ReadonlySet<Scope>;
  sessionId: string | null;
  tokenId: string | null;
}
