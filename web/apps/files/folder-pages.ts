// A folder's entries a page at a time, folders first, in the order asked for: the first page is
// small so a big folder's first rows show at once; the rest follow in larger pages.
import { api } from "../../api/rest-client.ts";
import type { Entry } from "./entry.ts";

export const FIRST_PAGE = 200;
export const NEXT_PAGE = 2000;

export type FolderSort = "name" | "size" | "modified";
type Post = <T>(path: string, body: unknown) => Promise<T>;

export async function* folderPages(path: string, sort: FolderSort, post: Post = api.post): AsyncGenerator<Entry[]> {
  const ask = { path, sort_by: sort, sort_order: sort === "name" ? "asc" : "desc", folders_first: true };
  const seen = new Set<string>();
  let cursor = "0";
  let limit = FIRST_PAGE;
  for (;;) {
    const page = await post<{ items: Entry[]; cursor?: string }>("/readdir", { ...ask, cursor, limit });
    // An entry added or removed between two pages shifts the offsets: never list one twice.
    yield page.items.filter((e) => !seen.has(e.uid) && Boolean(seen.add(e.uid)));
    // The server's cursor only moves forward, and is absent after the last page.
    if (!page.cursor || Number(page.cursor) <= Number(cursor)) return;
    cursor = page.cursor;
    limit = NEXT_PAGE;
  }
}
