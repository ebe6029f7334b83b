// The same function code, run by Deno itself (`deno serve`, the real binary from npm) and by PC2,
// answers the same requests the same way: status, body and content type. Deno is the reference for
// what a function written for Deno expects of its runtime.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { denoServe } from "../../helpers/deno-serve.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { claimOwner, httpFetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

interface Case {
  name: string;
  code: string;
  requests: { method?: string; path: string; body?: string; headers?: Record<string, string> }[];
}

const CASES: Case[] = [
  {
    name: "echo",
    code: `export default {
      async fetch(req: Request): Promise<Response> {
        const url = new URL(req.url);
        return Response.json({ method: req.method, path: url.pathname, q: [...url.searchParams], type: req.headers.get("content-type"), body: await req.text() });
      },
    };`,
    requests: [{ path: "/" }, { path: "/a/b?x=1&x=2&y=%C3%A9" }, { method: "POST", path: "/post", body: "héllo", headers: { "content-type": "text/plain" } }],
  },
  {
    name: "web-apis",
    code: `const pattern = new URLPattern({ pathname: "/items/:id" });
    export default {
      async fetch(req: Request): Promise<Response> {
        const url = new URL(req.url);
        const match = pattern.exec(url);
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(await req.text())));
        const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
        const clone = structuredClone({ when: new Date(0), list: [1, 2] });
        const blob = new Blob(["ab", "cd"]);
        return Response.json({ id: match?.pathname.groups.id ?? null, hex, clone: clone.when.getTime() + clone.list.length, blob: await blob.text(), uuid: crypto.randomUUID().length });
      },
    };`,
    requests: [{ path: "/items/42" }, { method: "POST", path: "/nothing", body: "abc" }],
  },
  {
    name: "stream-and-status",
    code: `export default {
      fetch(req: Request): Response {
        const path = new URL(req.url).pathname;
        if (path === "/created") return new Response("made", { status: 201, headers: { "x-custom": "yes", "content-type": "text/x-made" } });
        if (path === "/go") return Response.redirect(new URL("/created", req.url), 302);
        if (path === "/boom") throw new Error("boom");
        if (path === "/plain") return new Response("just text");
        const enc = new TextEncoder();
        let i = 0;
        return new Response(new ReadableStream({ pull(c) { if (i < 5) c.enqueue(enc.encode("chunk" + i++ + "\\n")); else c.close(); } }), { headers: { "content-type": "text/plain" } });
      },
    };`,
    requests: [{ path: "/stream" }, { path: "/created" }, { path: "/go" }, { path: "/plain" }, { path: "/boom" }],
  },
  {
    name: "form",
    code: `export default {
      async fetch(req: Request): Promise<Response> {
        const form = await req.formData();
        const file = form.get("file") as File;
        return Response.json({ title: form.get("title"), file: file.name, size: file.size, text: await file.text() });
      },
    };`,
    requests: [
      {
        method: "POST",
        path: "/",
        headers: { "content-type": "multipart/form-data; boundary=XyZ" },
        body: '--XyZ\r\nContent-Disposition: form-data; name="title"\r\n\r\nHello\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nfile body\r\n--XyZ--\r\n',
      },
    ],
  },
];

let t: TestNode;
let owner: SignedIn;
const dirs: string[] = [];

beforeAll(async () => {
  t = await startTestNode();
  owner = await claimOwner(httpFetcher(t.url), t.started.setup.code!);
});
afterAll(async () => {
  await t.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("the same code under Deno and under PC2", () => {
  for (const c of CASES)
    test(c.name, async () => {
      const deployed = await fetch(`${t.url}/api/functions`, {
        method: "POST",
        headers: { ...owner.bearer, "content-type": "application/json" },
        body: JSON.stringify({ name: c.name, files: [{ path: "main.ts", content: c.code }], visibility: "public" }),
      });
      expect(deployed.status).toBe(201);
      const dir = mkdtempSync(join(tmpdir(), "pc2-deno-"));
      dirs.push(dir);
      const deno = await denoServe(dir, c.code);
      try {
        for (const r of c.requests) {
          const init = { method: r.method ?? "GET", headers: r.headers, body: r.body, redirect: "manual" } as RequestInit;
          const [a, b] = await Promise.all([fetch(deno.url + r.path, init), fetch(`${t.url}/fn/${owner.address}/${c.name}${r.path}`, init)]);
          const what = `${r.method ?? "GET"} ${r.path}`;
          expect(b.status, what).toBe(a.status);
          // The one known difference: where Deno sends no Content-Type, Bun's server sends
          // application/octet-stream (it labels every body that has bytes); docs/functions.md says so.
          if (a.headers.has("content-type")) expect(b.headers.get("content-type"), what).toBe(a.headers.get("content-type"));
          else expect([null, "application/octet-stream"], what).toContain(b.headers.get("content-type"));
          if (a.headers.has("x-custom")) expect(b.headers.get("x-custom")).toBe(a.headers.get("x-custom"));
          // A redirect names its target by the URL the function saw: compare its path.
          if (a.headers.has("location")) expect(new URL(b.headers.get("location")!).pathname).toBe(new URL(a.headers.get("location")!).pathname);
          const [ta, tb] = [await a.text(), await b.text()];
          if (c.name === "web-apis") {
            // Fresh random UUIDs differ; everything else matches.
            expect(JSON.parse(tb), what).toEqual(JSON.parse(ta));
          } else expect(tb, what).toBe(ta);
        }
      } finally {
        deno.stop();
      }
    });
});
