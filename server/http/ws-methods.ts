// Wires the WebSocket side: the hub's auth policy (roles.ts), every service's methods and topics,
// and the events that must close sockets (sign-out, revocation, removed users).
import type { Services } from "../context.ts";
import type { EventBus } from "../events.ts";
import { registerAiWs } from "../services/ai/ai.ws.ts";
import { registerSystemWs } from "../services/system/system.ws.ts";
import { registerTerminalWs } from "../services/terminal/terminal.ws.ts";
import { registerWasmWs } from "../services/wasm/wasm.ws.ts";
import type { AuthGuard } from "./auth-guard.ts";
import { authorize } from "./authorize.ts";
import { WS_ACCESS, WS_TOPIC_ACCESS } from "./roles.ts";
import { WS_CLOSE } from "./ws-protocol.ts";

export const FILES_TOPIC = "files";
import type { WsHub, WsPolicy } from "./ws-hub.ts";

export function wsPolicy(guard: AuthGuard, services: Services): WsPolicy {
  return {
    authenticate: (request) => guard.authenticateUpgrade(request),
    authorizeMethod: (method, p) => authorize(WS_ACCESS[method], p, `ws method ${method}`),
    authorizeTopic: (topic, p) => authorize(WS_TOPIC_ACCESS[topic], p, `ws topic ${topic}`),
    stillLive: (p) => services.sessions.stillLive(p),
  };
}

export function registerWsMethods(hub: WsHub, services: Services, events: EventBus): void {
  registerSystemWs(hub, services.system);
  registerTerminalWs(hub, services.terminals, events);
  registerWasmWs(hub, services.wasm);
  registerAiWs(hub, services.ai);

  hub.registerTopic(FILES_TOPIC);
  // Each wallet's file events reach that wallet's sockets and nobody else's.
  events.on("files.changed", ({ owner, event, payload }) => void hub.publish(FILES_TOPIC, event, payload, (p) => p.address === owner));

  events.on("auth.session_ended", ({ sessionId }) => void hub.closeWhere((p) => p.sessionId === sessionId, WS_CLOSE.sessionEnded, "session ended"));
  events.on("auth.token_revoked", ({ tokenId }) => void hub.closeWhere((p) => p.tokenId === tokenId, WS_CLOSE.sessionEnded, "token revoked"));
  events.on("auth.user_changed", ({ address, removed }) => void hub.closeWhere((p) => p.address === address, WS_CLOSE.sessionEnded, removed ? "user removed" : "role changed; reconnect"));
}
