// Call a running node's JSON API as a signed-in wallet; NDJSON streams come back as their lines.
import { ndjsonLines } from "./ndjson.ts";
import type { SignedIn } from "./wallet-auth.ts";

export async function sendJson(baseUrl: string, who: SignedIn, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}${path}`, { method, headers: { ...who.bearer, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const type = res.headers.get("content-type") ?? "";
  return { status: res.status, body: type.includes("ndjson") ? await ndjsonLines(res) : await res.json() };
}

/** The RequestInit for a JSON call as `who` (the body left out when undefined). */
export const jsonRequest = (who: SignedIn, method: string, body?: unknown): RequestInit => ({
  method,
  headers: { ...who.bearer, "content-type": "application/json" },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});
