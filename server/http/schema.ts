// Input schemas: one TypeBox schema per operation (Elysia's `t`), checked by Elysia for HTTP routes
// and by the hub for WebSocket methods; their static types are what services and web/ take.
import type { Static, TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { t } from "elysia";
import { ValidationError } from "../errors.ts";

export type { Static, TSchema };

/** A method that takes no input: JSON-RPC allows an object or an array as params. */
export const NoParams = t.Union([t.Object({}), t.Array(t.Unknown(), { maxItems: 0 })]);

/** A schema failure as our 400: "<field>: <what is wrong>", with the field. */
export function schemaError(path: string | undefined, message: string | undefined): ValidationError {
  const field = (path ?? "").replace(/^\//, "").replace(/\//g, ".") || undefined;
  return new ValidationError(`${field ?? "the request"}: ${message ?? "is not valid"}`, field ? { field } : undefined);
}

/** Check `value` against `schema` (a WebSocket method's params); the typed value, or a 400. */
export function checkInput<T extends TSchema>(schema: T, value: unknown): Static<T> {
  if (Value.Check(schema, value)) return value as Static<T>;
  const first = Value.Errors(schema, value).First();
  throw schemaError(first?.path, first?.message);
}

/** A route that takes no input (a POST with nothing to say). */
export const NoBody = t.Object({});

/**
 * A route whose body is streamed by its handler (multipart uploads, raw chunks), so no JSON schema
 * applies; the handler's reader has its own limits. Declared as the OpenAPI request body, so that a
 * test can tell it from a route that forgot its schema.
 */
export const streamedBody = (kind: "multipart/form-data" | "application/octet-stream") => ({
  detail: { requestBody: { required: true, content: { [kind]: { schema: kind === "multipart/form-data" ? { type: "object" as const } : { type: "string" as const, format: "binary" } } } } },
});
