// Typed calls to the node's HTTP API (same origin, session cookie), with the server's error shape as ApiError.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The node could not be reached at all (offline, restarting). */
export class UnreachableError extends Error {
  constructor(cause: unknown) {
    super("The node cannot be reached");
    this.name = "UnreachableError";
    this.cause = cause;
  }
}

export interface User {
  address: string;
  role: "owner" | "admin" | "member";
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      signal,
      headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new UnreachableError(err);
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    throw new ApiError(res.status, data?.code ?? "http_error", data?.message ?? `HTTP ${res.status}`);
  }
  return data as T;
}

export const api = {
  setupStatus: () => request<{ claimed: boolean }>("GET", "/api/auth/setup"),
  whoami: () => request<{ address: string; role: User["role"] }>("GET", "/whoami"),
  challenge: (address: string, chainId: number) => request<{ message: string; nonce: string; expiresAt: string }>("POST", "/api/auth/challenge", { address, chainId }),
  login: (message: string, signature: string, setupCode?: string) => request<{ user: User; token: string }>("POST", "/api/auth/login", { message, signature, ...(setupCode ? { setupCode } : {}) }),
  logout: () => request<{ signedOut: boolean }>("POST", "/api/auth/logout"),
  identity: () => request<{ nodeId: string; did: string; publicKey: string; phrasePending: boolean }>("GET", "/api/identity"),
  phrase: () => request<{ words: string[] }>("GET", "/api/identity/phrase"),
  confirmPhrase: (answers: { index: number; word: string }[]) => request<{ phrasePending: boolean }>("POST", "/api/identity/phrase/confirm", { answers }),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, body ?? {}),
  get: <T>(path: string) => request<T>("GET", path),
  /** Any method; a non-2xx answer throws ApiError with the server's code and message. */
  send: <T>(method: "PUT" | "PATCH" | "DELETE", path: string, body?: unknown) => request<T>(method, path, body),
};
