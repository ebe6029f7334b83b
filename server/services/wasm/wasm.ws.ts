// wasm.run over /ws: output arrives as wasm.output notifications while the module runs; rpc.cancel kills it.
import type { WsHub } from "../../http/ws-hub.ts";
import { wasmRunBytes } from "./wasm.routes.ts";
import { WASM_LIMITS, type WasmService } from "./wasm.service.ts";
import { ExecuteBody } from "./wasm.schemas.ts";

export function registerWasmWs(hub: WsHub, wasm: WasmService): void {
  hub.register("wasm.run", (params, ctx) => wasm.execute(ctx.connection.principal.address, params, { onOutput: (stream, text) => ctx.notify("wasm.output", { stream, text }), signal: ctx.signal }), {
    params: ExecuteBody,
    maxMessageBytes: wasmRunBytes(WASM_LIMITS.maxModuleBytes),
  });
}
