// POST /api/wasm/execute and GET /api/wasm/apps.
import { Elysia } from "elysia";
import type { WasmService } from "./wasm.service.ts";

export function wasmRoutes(wasm: WasmService) {
  return new Elysia({ name: "wasm.routes" })
    .get("/api/wasm/apps", () => ({ apps: wasm.apps() }))
    .post("/api/wasm/execute", async ({ body, request }) => ({ result: await wasm.execute(body, undefined, request.signal) }));
}
