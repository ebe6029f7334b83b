// The desktop's folder listing, page by page (web/apps/files/folder-pages.ts), against a real node:
// every entry once, folders first, a small first page, and an entry added between two pages (which
// moves every later offset on by one) does not show another twice. (What changed meanwhile comes
// with the reload the change's live event starts.)
import { afterAll, beforeAll, expect, test } from "bun:test";
import { FIRST_PAGE, folderPages } from "../../web/apps/files/folder-pages.ts";
import type { Entry } from "../../web/apps/files/entry.ts";
import { startTestNode, type TestNode } from "../helpers/test-node.ts";
import { claimOwner, httpFetcher } from "../helpers/wallet-auth.ts";

let t: TestNode;
let headers: Record<string, string>;
const FILES = FIRST_PAGE + 50;

async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(t.url + path, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

beforeAll(async () => {
  t = await startTestNode();
  const f = httpFetcher(t.url);
  const owner = await claimOwner(f, t.started.setup.code!);
  headers = owner.bearer;
  await post("/mkdir", { path: "~/Documents/many/sub", create_missing_parents: true });
  const ops = Array.from({ length: FILES }, (_, i) => ({ op: "write", path: "~/Documents/many", name: `f-${String(i).padStart(4, "0")}.txt`, content: "x" }));
  for (const op of ops) {
    const fd = new FormData();
    fd.append("path", op.path);
    fd.append("name", op.name);
    fd.append("file", new Blob([op.content]), "x");
    const res = await fetch(`${t.url}/write`, { method: "POST", headers, body: fd });
    if (!res.ok) throw new Error(`write: ${res.status}`);
  }
});
afterAll(() => t.stop());

test("every entry once, the folder first, in name order; the first page small", async () => {
  const pages: Entry[][] = [];
  for await (const page of folderPages("~/Documents/many", "name", post)) pages.push(page);
  expect(pages.map((p) => p.length)).toEqual([FIRST_PAGE, FILES + 1 - FIRST_PAGE]);
  const names = pages.flat().map((e) => e.name);
  expect(names[0]).toBe("sub");
  expect(names.slice(1)).toEqual(Array.from({ length: FILES }, (_, i) => `f-${String(i).padStart(4, "0")}.txt`));
});

test("an entry added between two pages moves the offsets on: the entry pushed onto the next page is not listed twice", async () => {
  const seen: string[] = [];
  let added = false;
  for await (const page of folderPages("~/Documents/many", "name", post)) {
    seen.push(...page.map((e) => e.name));
    if (!added) {
      const fd = new FormData();
      fd.append("path", "~/Documents/many");
      fd.append("name", "a-new.txt");
      fd.append("file", new Blob(["n"]), "x");
      expect((await fetch(`${t.url}/write`, { method: "POST", headers, body: fd })).status).toBe(200);
      added = true;
    }
  }
  expect(seen.length).toBe(new Set(seen).size);
  expect(seen.length).toBe(FILES + 1);
  expect(seen.filter((n) => n.startsWith("f-")).length).toBe(FILES);
});
