// Every operation declares its input schema: routes with a body, path parameters or a query, and
// every WebSocket method. A streamed body (multipart, raw chunks) is declared as such.
import { expect, test } from "bun:test";
import { createTestNode } from "../helpers/test-node.ts";

/** Routes whose query string is read (GET routes take no body). */
const READS_QUERY = new Set(["GET /api/audit", "GET /api/backup/sets/:name/files", "GET /api/files/search", "GET /api/files/zip", "GET /read", "GET /fs/readdir", "PUT /api/files/uploads/:id"]);

test("every HTTP route with input and every WebSocket method has a schema", async () => {
  const { node, cleanup } = createTestNode();
  try {
    const missing: string[] = [];
    for (const r of node.app.routes) {
      const hooks = (r.hooks ?? {}) as { body?: unknown; params?: unknown; query?: unknown; detail?: { requestBody?: unknown } };
      const key = `${r.method} ${r.path}`;
      if (["POST", "PUT", "PATCH"].includes(r.method) && !hooks.body && !hooks.detail?.requestBody) missing.push(`${key}: body`);
      if (r.path.includes(":") && !hooks.params) missing.push(`${key}: params`);
      if (READS_QUERY.has(key) && !hooks.query) missing.push(`${key}: query`);
    }
    expect(missing).toEqual([]);
    expect(node.hub.methodsWithoutSchema()).toEqual([]);
  } finally {
    await node.stop();
    cleanup();
  }
});
