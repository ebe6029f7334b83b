// The WASM apps API for the desktop: list, install/update (multipart), remove, and runs over /ws.
import { ApiError, api } from "../../api/rest-client.ts";

// The shapes are the server's own (type-only imports: nothing of the server reaches the bundle).
import type { AppInfo as WasmApp } from "../../../server/services/wasm/wasm-registry.ts";
import type { ExecuteResult as RunResult } from "../../../server/services/wasm/wasm.service.ts";
import type { ExecuteBody as RunInput } from "../../../server/services/wasm/wasm.schemas.ts";
export type { RunInput, RunResult, WasmApp };

export const listApps = () => api.get<{ apps: WasmApp[] }>("/api/wasm/apps").then((r) => r.apps);

export const removeApp = (name: string) => api.send("DELETE", `/api/wasm/apps/${encodeURIComponent(name)}`);

/** Install a new app from a manifest and a .wasm file. */
export async function installApp(manifest: { name: string; description: string; icon?: string; args: { name: string }[] }, module: File): Promise<WasmApp> {
  const body = new FormData();
  body.append("manifest", JSON.stringify(manifest));
  body.append("module", module, module.name);
  const res = await fetch("/api/wasm/apps", { method: "POST", credentials: "same-origin", body });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data?.code ?? "http_error", data?.message ?? `HTTP ${res.status}`);
  return data.app as WasmApp;
}

/** What a run's result says, in a line. */
export function describeRun(r: RunResult): string {
  if (r.killed === "timeout") return `Stopped at its time limit after ${r.durationMs} ms`;
  if (r.killed === "cancelled") return "Stopped";
  if (r.killed === "output_limit") return "Stopped: it wrote more output than allowed";
  if (r.error) return `Failed: ${r.error}`;
  return `Exited with code ${r.exitCode} in ${r.durationMs} ms`;
}

/** "/0xabc…/Documents/x" (as the node reports paths) → "~/Documents/x". */
export function homePath(path: string): string {
  return path.replace(/^\/0x[0-9a-f]{40}(?=\/|$)/i, "~");
}
