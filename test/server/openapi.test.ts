// The OpenAPI 3.1 document at /api/openapi.json: valid (checked by @apidevtools/swagger-parser),
// every route in it (but those named below, each for a reason), every path parameter and request
// body with its schema, and who may call each operation; the docs page renders it without a script.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import SwaggerParser from "@apidevtools/swagger-parser";
import { openApiPath } from "../../server/http/openapi-document.ts";
import { HTTP_ACCESS } from "../../server/http/roles.ts";
import { startTestNode, type TestNode } from "../helpers/test-node.ts";

type Op = { parameters?: { name: string; in: string; schema?: unknown }[]; requestBody?: { content?: Record<string, { schema?: unknown }> }; security?: unknown[]; "x-pc2-access"?: unknown };
type Doc = { openapi: string; paths: Record<string, Record<string, Op> & { "x-webdav-methods"?: string[] }> };

/** Routes not in the document, and why. */
const NOT_DOCUMENTED: Record<string, string> = {
  "GET /.well-known/acme-challenge/:token": "answers a certificate authority's check, not an API",
  "OPTIONS /fn/:owner/:name": "a function's own preflight answer, not the node's API",
  "OPTIONS /fn/:owner/:name/*": "as above",
};

let t: TestNode;
let doc: Doc;
beforeAll(async () => {
  t = await startTestNode();
  const res = await fetch(`${t.url}/api/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as Doc;
});
afterAll(() => t.stop());

describe("/api/openapi.json", () => {
  test("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toStartWith("3.1");
    await SwaggerParser.validate(structuredClone(doc) as never);
  });

  test("every route is in it, with its path parameters, JSON body schema and who may call it", () => {
    const routes = Object.keys(HTTP_ACCESS);
    const missing: string[] = [];
    const problems: string[] = [];
    for (const key of routes) {
      if (key in NOT_DOCUMENTED) continue;
      const [method, route] = key.split(" ") as [string, string];
      const item = doc.paths[openApiPath(route)];
      if (!item) {
        missing.push(key);
        continue;
      }
      const op = item[method.toLowerCase()];
      if (!op) {
        if (!item["x-webdav-methods"]?.includes(method)) missing.push(key);
        continue;
      }
      for (const name of [...openApiPath(route).matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))
        if (!op.parameters?.some((p) => p.in === "path" && p.name === name && p.schema)) problems.push(`${key}: no schema for the path parameter ${name}`);
      // A body says what it is: a JSON schema (the one that validates it), or the type of what is streamed.
      if (/^(POST|PUT|PATCH)$/.test(method)) {
        const content = op.requestBody?.content ?? {};
        if (Object.keys(content).length === 0) problems.push(`${key}: its body is not described`);
        for (const [type, c] of Object.entries(content)) if (!c.schema) problems.push(`${key}: no schema for its ${type} body`);
      }
      if (!op["x-pc2-access"] || !Array.isArray(op.security)) problems.push(`${key}: who may call it is not said`);
    }
    expect(missing).toEqual([]);
    expect(problems).toEqual([]);
  });

  test("the docs page renders every operation, with no script and nothing from elsewhere", async () => {
    const res = await fetch(`${t.url}/api/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).not.toContain("<script");
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    expect(html).toContain("<code>/api/functions/{name}</code>");
    expect(html).toContain("WebDAV methods: COPY, LOCK, MKCOL, MOVE, OPTIONS, PROPFIND, PROPPATCH, UNLOCK");
  });
});
