// Registers every service's WebSocket methods and topics on the hub: the WS counterpart of app.ts.
import type { Services } from "../context.ts";
import { registerSystemWs } from "../services/system/system.ws.ts";
import type { WsHub } from "./ws-hub.ts";

export function registerWsMethods(hub: WsHub, services: Services): void {
  registerSystemWs(hub, services.system);
}
