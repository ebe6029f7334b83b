// The WASM API as a signed-in wallet, for tests: run, list, built modules from dist/.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./spawned-node.ts";
import type { SignedIn } from "./wallet-auth.ts";

/** A module built by scripts/build-wasm-apps.ts: dist/<dir>/<name>.wasm ("wasm-apps" or "wasm-fixtures"). */
export const builtModule = (dir: "wasm-apps" | "wasm-fixtures", name: string) => new Uint8Array(readFileSync(join(REPO, "dist", dir, `${name}.wasm`)));
export const fixtureBase64 = (name: string) => Buffer.from(builtModule("wasm-fixtures", name)).toString("base64");

export function wasmClient(baseUrl: string) {
  const json = async (res: Response) => ({ status: res.status, body: await res.json() });
  return {
    execute: (who: SignedIn, body: unknown) =>
      fetch(`${baseUrl}/api/wasm/execute`, { method: "POST", headers: { ...who.bearer, "content-type": "application/json" }, body: JSON.stringify(body) }).then(json),
    list: (who: SignedIn) => fetch(`${baseUrl}/api/wasm/apps`, { headers: who.bearer }).then(json),
  };
}
