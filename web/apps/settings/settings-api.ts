// The Settings app's API: users and roles, the terminal setting, sessions, API tokens, quotas.
// The shapes are the server's own (type-only imports: nothing of the server reaches the bundle).
import { api } from "../../api/rest-client.ts";
import type { CreateTokenBody, InviteBody } from "../../../server/services/auth/auth.schemas.ts";
import type { TokenView } from "../../../server/services/auth/api-tokens.service.ts";
import type { SessionView } from "../../../server/services/auth/sessions.service.ts";
import type { UserView } from "../../../server/services/auth/users.service.ts";

export type { SessionView, TokenView, UserView };

/** A user as the Owner's list shows them: with their storage use and quota. */
export type ListedUser = UserView & { usedBytes: number; quotaBytes: number | null };
export const listUsers = () => api.get<{ users: ListedUser[] }>("/api/users").then((r) => r.users);
export const renameUser = (address: string, name: string | null) => api.send("PATCH", `/api/users/${address}`, { name });
export const inviteUser = (input: InviteBody) => api.post<{ user: UserView }>("/api/users", input);
export const changeRole = (address: string, role: InviteBody["role"]) => api.send("PATCH", `/api/users/${address}`, { role });
export const removeUser = (address: string) => api.send("DELETE", `/api/users/${address}`);

export const adminsInTerminal = () => api.get<{ allowAdmins: boolean }>("/api/terminal/settings").then((r) => r.allowAdmins);
export const setAdminsInTerminal = (allowAdmins: boolean) => api.send("PUT", "/api/terminal/settings", { allowAdmins });

export const listSessions = () => api.get<{ sessions: SessionView[] }>("/api/auth/sessions").then((r) => r.sessions);
export const revokeSession = (id: string) => api.send("DELETE", `/api/auth/sessions/${id}`);

export const listTokens = () => api.get<{ tokens: TokenView[] }>("/api/tokens").then((r) => r.tokens);
export const createToken = (input: CreateTokenBody) => api.post<TokenView & { token: string }>("/api/tokens", input);
export const revokeToken = (id: string) => api.send("DELETE", `/api/tokens/${id}`);

export const myQuota = () => api.get<{ quota: number | null; used: number }>("/api/files/quota");
export const setQuota = (address: string, bytes: number | null) => api.send("PUT", `/api/files/quotas/${address}`, { bytes });
