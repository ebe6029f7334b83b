// Edge functions through a running node's API: deploy one from a single main.ts, and the path it
// answers at.
import { jsonRequest } from "./send-json.ts";
import type { Fetcher, SignedIn } from "./wallet-auth.ts";

/** POST /api/functions with `main` as main.ts; `extra` adds fields (visibility, secrets…). */
export async function deployFunction(f: Fetcher, who: SignedIn, name: string, main: string, extra: Record<string, unknown> = {}) {
  const res = await f("/api/functions", jsonRequest(who, "POST", { name, files: [{ path: "main.ts", content: main }], ...extra }));
  return { status: res.status, body: await res.json() };
}

/** Where `who`'s function `name` answers, `rest` below its root. */
export const functionPath = (who: SignedIn, name: string, rest = "/") => `/fn/${who.address}/${name}${rest}`;
