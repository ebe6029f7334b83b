// Every reaction to an event in one place: what happens elsewhere when a wallet signs in, a file
// changes, a session or token ends, or a user is changed or removed. Features emit; this file wires.
import { NODE_TOPIC } from "./services/system/system.ws.ts";
import type { Services } from "./context.ts";
import type { EventBus } from "./events.ts";
import type { WsHub } from "./http/ws-hub.ts";
import { WS_CLOSE } from "./http/ws-protocol.ts";
import { NETWORK_TOPIC } from "./services/network/network.ws.ts";
import { FILES_TOPIC, FUNCTIONS_TOPIC } from "./ws-app.ts";

export function wireReactions(events: EventBus, services: Services, hub: WsHub): void {
  // A wallet's first sign-in gives it its home folders.
  events.on("auth.signed_in", ({ address }) => services.files.ensureHome(address));

  // Each wallet's file events reach that wallet's sockets and nobody else's.
  events.on("files.changed", ({ owner, event, payload }) => void hub.publishTo(FILES_TOPIC, owner, event, payload));

  // The network's state reaches every signed-in socket that subscribed; the listening port goes into the peer record.
  events.on("network.status", (status) => void hub.publish(NETWORK_TOPIC, "network.status", status));
  // A function's log lines reach its deployer's sockets, live.
  events.on("functions.log", ({ owner, ...line }) => void hub.publishTo(FUNCTIONS_TOPIC, owner, "function.log", line));
  // Backups are the Owner's: only the Owner's desktop hears how one ended.
  events.on("backup.finished", (r) => void hub.publish(NODE_TOPIC, "backup.finished", r, (p) => p.role === "owner"));
  events.on("node.started", ({ url }) => services.network.setHttpPort(Number(new URL(url).port)));

  // An ended session closes its sockets and ends its terminals at once.
  events.on("auth.session_ended", ({ sessionId }) => {
    hub.closeWhere((p) => p.sessionId === sessionId, WS_CLOSE.sessionEnded, "session ended");
    services.terminals.endWhere((e) => e.authSession === sessionId, "session ended");
  });
  events.on("auth.token_revoked", ({ tokenId }) => void hub.closeWhere((p) => p.tokenId === tokenId, WS_CLOSE.sessionEnded, "token revoked"));

  // A removed user, or one whose role changed, reconnects (or not) with what they are now.
  events.on("auth.user_changed", ({ address, removed }) => {
    hub.closeWhere((p) => p.address === address, WS_CLOSE.sessionEnded, removed ? "user removed" : "role changed; reconnect");
    services.terminals.endWhere((e) => e.owner === address, "user removed or role changed");
    // Their functions went with their row (by cascade): so do the processes, stores and folders.
    if (removed) services.functions.prune();
  });
}
