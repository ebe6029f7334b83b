// How a DHT node answers each of the v2 requests (and PC2's node_info): look-ups from the routing
// table and the record store, write tokens checked before any store, and the reference's rules for
// what is dropped without an answer.
import type { Id } from "../id.ts";
import { ERROR, type NodeInfoRecord, type PeerRecord, type Request } from "../v2/messages.ts";
import { valueId } from "../v2/records.ts";
import { type RecordStore, StoreRefused } from "./record-store.ts";
import { type Contact, K, type RoutingTable } from "./routing-table.ts";
import type { Reply } from "./rpc-server.ts";
import type { TokenManager } from "./tokens.ts";

export interface AnswerContext {
  family: 4 | 6;
  table: RoutingTable;
  store: RecordStore;
  tokens: TokenManager;
  nodeInfo?: () => NodeInfoRecord;
  routable: (host: string) => boolean;
}

function lists(c: AnswerContext, from: Contact, target: Id, wantToken: boolean) {
  const nodes = c.table.closest(target, K).map((e) => ({ id: e.id, host: e.host, port: e.port }));
  return {
    nodes4: c.family === 4 ? nodes : [],
    nodes6: c.family === 6 ? nodes : [],
    token: wantToken ? c.tokens.issue(from.id, from.host, from.port, target) : 0,
  };
}

/** A store refused under the v2 rules answers with the reference's error code. */
function stored(put: () => void, ok: Reply): Reply {
  try {
    put();
  } catch (err) {
    if (err instanceof StoreRefused) return { error: err.code, message: err.message };
    throw err;
  }
  return ok;
}

export function answer(c: AnswerContext, from: Contact, request: Request): Reply {
  switch (request.method) {
    case "ping":
      return { method: "ping" };
    case "node_info":
      return c.nodeInfo ? { method: "node_info", info: c.nodeInfo() } : { error: ERROR.unknownMethod, message: "node_info is not served here" };
    case "find_node":
      return { method: "find_node", ...lists(c, from, request.target, request.want.token) };
    case "find_value": {
      const value = c.store.getValue(request.target, request.seq);
      return { method: "find_value", ...lists(c, from, request.target, true), ...(value ? { nodes4: [], nodes6: [] } : {}), value };
    }
    case "find_peer": {
      const peers = c.store.getPeers(request.target);
      return { method: "find_peer", ...lists(c, from, request.target, true), ...(peers.length ? { nodes4: [], nodes6: [] } : {}), peers };
    }
    case "store_value": {
      if (!c.tokens.verify(request.token, from.id, from.host, from.port, valueId(request.value))) return { error: ERROR.protocol, message: "invalid token" };
      return stored(() => c.store.putValue(request.value, request.cas), { method: "store_value" });
    }
    case "announce_peer": {
      // Announcements from private or loopback addresses are dropped without an answer (outside development mode).
      if (!c.routable(from.host)) return null;
      if (!c.tokens.verify(request.token, from.id, from.host, from.port, request.peerId)) return { error: ERROR.protocol, message: "invalid token" };
      const peer: PeerRecord = { peerId: request.peerId, nodeId: request.nodeId ?? from.id, origin: from.id, port: request.port, alt: request.alt, signature: request.signature };
      return stored(() => c.store.putPeer(peer), { method: "announce_peer" });
    }
  }
}
