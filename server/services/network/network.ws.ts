// WebSocket methods of the network service, and the "network" topic (network.status on change).
import type { WsHub } from "../../http/ws-hub.ts";
import { NoParams } from "../../http/schema.ts";
import { NodeIdParams } from "./network.schemas.ts";
import type { NetworkService } from "./network.service.ts";

export const NETWORK_TOPIC = "network";

export function registerNetworkWs(hub: WsHub, network: NetworkService): void {
  hub.registerTopic(NETWORK_TOPIC);
  hub.register("network.status", () => network.status(), { params: NoParams });
  hub.register("network.lookup", (p) => network.lookup(p.nodeId), { params: NodeIdParams });
}
