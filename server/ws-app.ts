// The WebSocket application, beside app.ts (its HTTP twin): the hub's auth policy from the role
// table, and every feature's methods and topics.
import type { Services } from "./context.ts";
import type { AuthGuard } from "./http/auth-guard.ts";
import { authorize } from "./http/authorize.ts";
import { WS_ACCESS, WS_TOPIC_ACCESS } from "./http/roles.ts";
import type { WsHub, WsPolicy } from "./http/ws-hub.ts";
import { registerAiWs } from "./services/ai/ai.ws.ts";
import { registerNetworkWs } from "./services/network/network.ws.ts";
import { registerSystemWs } from "./services/system/system.ws.ts";
import { registerTerminalWs } from "./services/terminal/terminal.ws.ts";
import { registerWasmWs } from "./services/wasm/wasm.ws.ts";

/** Live file events for the owning wallet's sockets (published by reactions.ts). */
export const FILES_TOPIC = "files";
/** function.log: each line of the subscriber's own functions' logs, as it is written. */
export const FUNCTIONS_TOPIC = "functions";

export function wsPolicy(guard: AuthGuard, services: Services): WsPolicy {
  return {
    authenticate: (request) => guard.authenticateUpgrade(request),
    authorizeMethod: (method, p) => authorize(WS_ACCESS[method], p, `ws method ${method}`),
    authorizeTopic: (topic, p) => authorize(WS_TOPIC_ACCESS[topic], p, `ws topic ${topic}`),
    stillLive: (p) => services.sessions.stillLive(p),
  };
}

export function registerWsMethods(hub: WsHub, services: Services): void {
  registerSystemWs(hub, services.system);
  registerTerminalWs(hub, services.terminals);
  registerWasmWs(hub, services.wasm);
  registerAiWs(hub, services.ai);
  registerNetworkWs(hub, services.network);
  hub.registerTopic(FILES_TOPIC);
  hub.registerTopic(FUNCTIONS_TOPIC);
}
