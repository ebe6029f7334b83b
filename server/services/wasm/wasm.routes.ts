// HTTP for WASM apps: run one (POST /api/wasm/execute) and manage the caller's installed apps.
import { Elysia } from "elysia";
import { BadRequestError, fail, ValidationError } from "../../errors.ts";
import { principalOf } from "../../http/auth-guard.ts";
import type { BodyLimits } from "../../http/body-limits.ts";
import { streamedBody } from "../../http/schema.ts";
import { multipartParts } from "../../http/multipart.ts";
import type { WasmService } from "./wasm.service.ts";
import { AppParams, ExecuteBody } from "./wasm.schemas.ts";

const owner = (request: Request) => principalOf(request).address;

/** A run's JSON carries the module as base64: room for the largest module, its arguments, stdin and env. */
export const wasmRunBytes = (maxModuleBytes: number): number => Math.ceil(maxModuleBytes / 3) * 4 + 1024 * 1024;

/** The same limit over HTTP and /ws (wasm.ws.ts). */
export function wasmBodyLimits(maxModuleBytes: number): BodyLimits {
  return {
    "POST /api/wasm/execute": {
      bytes: wasmRunBytes(maxModuleBytes),
      tooLarge: () => fail("wasm_module_too_large", `The module is larger than ${maxModuleBytes} bytes`, { limit: maxModuleBytes }),
    },
  };
}

/** An install/update body: multipart with a `manifest` field (JSON) and an optional `module` file. */
async function appUpload(request: Request, maxModuleBytes: number): Promise<{ manifest: string; module: Uint8Array | null }> {
  let manifest: string | null = null;
  let module: Uint8Array | null = null;
  for await (const part of multipartParts(request, { fieldBytes: 128 * 1024, fields: 4, files: 1, parts: 5 })) {
    if (part.kind === "field" && part.name === "manifest") manifest = part.value;
    else if (part.kind === "file" && part.name === "module") {
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of part.stream) {
        size += chunk.byteLength;
        if (size > maxModuleBytes) throw fail("wasm_module_too_large", `The module is larger than ${maxModuleBytes} bytes`);
        chunks.push(chunk);
      }
      module = new Uint8Array(Buffer.concat(chunks));
    }
    // (Any other file part is skipped: multipartParts drains it.)
  }
  if (manifest === null) throw new ValidationError("Send the app's manifest (a JSON field named manifest)", { field: "manifest" });
  if (module !== null && module.length === 0) throw new BadRequestError("The module file is empty", "invalid_wasm_module");
  return { manifest, module };
}

export function wasmRoutes(wasm: WasmService, maxModuleBytes: number) {
  return new Elysia({ name: "wasm.routes" })
    .get("/api/wasm/apps", ({ request }) => ({ apps: wasm.registry.list(owner(request)) }))
    .post(
      "/api/wasm/apps",
      async ({ request, set }) => {
        const { manifest, module } = await appUpload(request, maxModuleBytes);
        if (!module) throw new ValidationError("Send the app's module (a .wasm file named module)", { field: "module" });
        set.status = 201;
        return { app: wasm.registry.put(owner(request), manifest, module, false) };
      },
      streamedBody("multipart/form-data"),
    )
    .put(
      "/api/wasm/apps/:name",
      async ({ request, params }) => {
        const { manifest, module } = await appUpload(request, maxModuleBytes);
        return { app: wasm.registry.put(owner(request), manifest, module, true, params.name) };
      },
      { params: AppParams, ...streamedBody("multipart/form-data") },
    )
    .delete(
      "/api/wasm/apps/:name",
      ({ request, params }) => {
        wasm.registry.remove(owner(request), params.name);
        return { removed: true };
      },
      { params: AppParams },
    )
    .post("/api/wasm/execute", async ({ body, request }) => ({ result: await wasm.execute(owner(request), body, { signal: request.signal }) }), { body: ExecuteBody });
}
