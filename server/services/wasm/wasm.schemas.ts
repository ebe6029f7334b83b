// Input schemas of WASM runs (HTTP and /ws alike) and app routes.
import { t } from "elysia";
import type { Static } from "../../http/schema.ts";
import { WASM_LIMITS } from "./wasm-limits.ts";

export const ExecuteBody = t.Object({
  app: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
  /** base64; its size is the service's to judge (413 wasm_module_too_large, not a 400). */
  module: t.Optional(t.String()),
  args: t.Optional(t.Array(t.String({ maxLength: 4096 }), { maxItems: 64 })),
  stdin: t.Optional(t.String()),
  env: t.Optional(t.Record(t.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]{0,63}$" }), t.String({ maxLength: 4096 }), { additionalProperties: false, maxProperties: 64 })),
  files: t.Optional(t.Array(t.String({ minLength: 1, maxLength: 4096 }), { maxItems: 64 })),
  output: t.Optional(t.String({ minLength: 1, maxLength: 4096 })),
  timeoutMs: t.Optional(t.Integer({ minimum: 10, maximum: WASM_LIMITS.maxTimeoutMs })),
  memoryMb: t.Optional(t.Integer({ minimum: 1, maximum: WASM_LIMITS.maxMemoryMb })),
});
export type ExecuteBody = Static<typeof ExecuteBody>;

export const AppParams = t.Object({ name: t.String({ minLength: 1, maxLength: 64 }) });
