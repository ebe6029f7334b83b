// The functions API for the desktop: list, create from a template (its source kept in the user's
// storage at ~/Functions/<name>, where the editor opens it), deploy that folder again, settings,
// secrets, rollback, logs, delete.
import { api } from "../../api/rest-client.ts";
import { writeText } from "../../api/files-api.ts";
import type { Entry } from "../files/entry.ts";

// The shapes are the server's own (type-only imports: nothing of the server reaches the bundle).
import type { FunctionDetails as FunctionInfo } from "../../../server/services/functions/functions.service.ts";
import type { LogEntry } from "../../../server/services/functions/function-telemetry.ts";
export type { FunctionInfo, LogEntry };

export type Deployed = FunctionInfo & { startError: string | null };

const path = (name: string, rest = "") => `/api/functions/${encodeURIComponent(name)}${rest}`;

/** Where the desktop keeps a function's source. */
export const sourceFolder = (name: string) => `~/Functions/${name}`;

/** `domain`: the node's functions domain, under which a function may have a host name of its own (null: none). */
export const listFunctions = () => api.get<{ functions: FunctionInfo[]; domain: string | null; available: boolean; reason: string | null }>("/api/functions");

export const getFunction = (name: string) => api.get<{ function: FunctionInfo }>(path(name)).then((r) => r.function);

/** Deploy the source folder (again): a new deployment when the files changed. */
export const deployFolder = (name: string) => api.post<{ function: Deployed }>("/api/functions", { name, folder: sourceFolder(name) }).then((r) => r.function);

/** A new function: its folder made with the template's main.ts, then deployed from it. */
export async function createFunction(name: string, code: string, visibility: "private" | "public"): Promise<Deployed> {
  await api.post("/mkdir", { path: sourceFolder(name), create_missing_parents: true, overwrite: false });
  await writeText(sourceFolder(name), "main.ts", code);
  return api.post<{ function: Deployed }>("/api/functions", { name, folder: sourceFolder(name), visibility }).then((r) => r.function);
}

/** The function's main.ts in storage, to open in the editor (null when its folder has none). */
export async function mainFile(name: string): Promise<Entry | null> {
  return api.post<Entry>("/stat", { path: `${sourceFolder(name)}/main.ts` }).catch(() => null);
}

/** Limits lower than the node's (null: the node's). */
export type LimitsChange = Partial<Record<keyof FunctionInfo["limits"], number | null>>;

export const updateFunction = (
  name: string,
  change: { visibility?: "private" | "public"; disabled?: boolean; allowedHosts?: string[]; allowLan?: boolean; subdomain?: string | null; limits?: LimitsChange },
) => api.send<{ function: FunctionInfo }>("PATCH", path(name), change).then((r) => r.function);

export const setSecrets = (name: string, secrets: Record<string, string | null>) => api.send<{ function: FunctionInfo }>("PUT", path(name, "/secrets"), { secrets }).then((r) => r.function);

export const rollback = (name: string, deployment: string) => api.post<{ function: FunctionInfo }>(path(name, "/rollback"), { deployment }).then((r) => r.function);

export const functionLogs = (name: string) => api.get<{ logs: LogEntry[] }>(path(name, "/logs")).then((r) => r.logs);

export const deleteFunction = (name: string) => api.send("DELETE", path(name));

/** The address a browser opens: the function's own host name if it has one (on the node's scheme and port), else the node's origin and the function's path. */
export const functionUrl = (f: FunctionInfo) => (f.host ? `${location.protocol}//${f.host}${location.port ? `:${location.port}` : ""}/` : new URL(f.url, location.origin).href);
