// Small helpers to call the Puter-style file API as a signed-in wallet.
import type { Fetcher, SignedIn } from "./wallet-auth.ts";

export function filesClient(f: Fetcher, who: SignedIn) {
  const post = async (path: string, body: unknown = {}) => {
    const res = await f(path, { method: "POST", headers: { ...who.bearer, "content-type": "application/json" }, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
  return {
    post,
    async write(dir: string, name: string, content: string | Uint8Array<ArrayBuffer>, fields: Record<string, string> = {}) {
      const fd = new FormData();
      fd.append("path", dir);
      fd.append("name", name);
      for (const [k, v] of Object.entries(fields)) fd.append(k, v);
      fd.append("file", new Blob([content]), name);
      const res = await f("/write", { method: "POST", headers: who.bearer, body: fd });
      return { status: res.status, body: await res.json() };
    },
    async read(path: string, headers: Record<string, string> = {}) {
      const res = await f(`/read?file=${encodeURIComponent(path)}`, { headers: { ...who.bearer, ...headers } });
      return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
    },
    async names(path: string): Promise<string[]> {
      const r = await post("/readdir", { path });
      return r.body.map((e: { name: string }) => e.name);
    },
  };
}
