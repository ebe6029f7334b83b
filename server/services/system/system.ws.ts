// WebSocket methods of the system service, and the "node" topic for node-wide notices.
import { NoParams } from "../../http/schema.ts";
import type { WsHub } from "../../http/ws-hub.ts";
import type { SystemService } from "./system.service.ts";

export const NODE_TOPIC = "node";

export function registerSystemWs(hub: WsHub, system: SystemService): void {
  hub.registerTopic(NODE_TOPIC);
  hub.register("system.info", () => system.info(), { params: NoParams });
  hub.register("system.health", (_params, ctx) => system.healthFor(ctx.connection.principal.role), { params: NoParams });
  hub.register("system.ping", () => ({ pong: Date.now() }), { params: NoParams });
}
