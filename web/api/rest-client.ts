// Typed calls to the node's HTTP API (same origin), with the server's error shape surfaced as ApiError.
import type { Health, NodeInfo } from "../../server/services/system/system.service.ts";

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = "ApiError";
  }
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { credentials: "same-origin", signal, headers: { accept: "application/json" } });
  const body = await res.json().catch(() => null);
  if (!res.ok && !(path === "/health" && res.status === 503)) {
    throw new ApiError(res.status, body?.code ?? "http_error", body?.message ?? `HTTP ${res.status}`);
  }
  return body as T;
}

export const api = {
  info: (signal?: AbortSignal) => getJson<NodeInfo>("/api/info", signal),
  health: (signal?: AbortSignal) => getJson<Health>("/health", signal),
};
