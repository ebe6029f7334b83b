// Typed in-process event bus: services publish domain events, the WebSocket hub and others listen.
import type { Logger } from "./log.ts";
import type { NetworkStatus } from "./services/network/network-status.ts";

/** Every event name and its payload. Services add their events here, so there is one list. */
export interface EventMap {
  "node.started": { url: string; nodeId: string };
  "node.stopping": { reason: string };
  "identity.phrase_confirmed": { nodeId: string };
  /** A session ended early (sign-out, revocation): its sockets must close. */
  "auth.session_ended": { sessionId: string };
  "auth.token_revoked": { tokenId: string };
  /** A user was removed or their role changed: their sockets must reconnect or close. */
  "auth.user_changed": { address: string; removed: boolean };
  /** Someone signed in (their home folders are created on the first time). */
  "auth.signed_in": { address: string };
  /** A change in a wallet's files, with a Puter-compatible socket event name and payload. */
  "files.changed": { owner: string; event: "item.added" | "item.removed" | "item.moved" | "item.updated" | "item.renamed"; payload: unknown };
  /** The node's place on the Boson network changed (state, table, announcement). */
  "network.status": NetworkStatus;
  /** The node serves a new certificate (the Owner's files changed): the listener takes it. */
  "tls.changed": { fingerprint: string };
  /** The names an ACME certificate is asked for changed (the node answers to them). */
  "tls.names": { names: string[] };
  /** A function was given a host name of its own (<subdomain>.<functions domain>): an ACME certificate should cover it. */
  "functions.hosts": { added: string };
  /** A line of a function's log (console output, an uncaught error, why its process stopped): for its deployer's sockets. */
  "functions.log": { owner: string; name: string; at: number; level: "debug" | "info" | "warn" | "error"; message: string; deployment: string };
  /** A backup ended (scheduled, asked for, or before an update): for the Owner's notices. */
  "backup.finished": { ok: boolean; destination: string; set: string | null; bytesWritten: number; error: string | null };
  /** A file's bytes were stored (an upload, a WebDAV PUT, a saved output): for the node's metrics. */
  "files.written": { owner: string; bytes: number };
  /** A WASM run ended: how long, and how (ok, error, or why it was killed). */
  "wasm.finished": { ms: number; outcome: string };
  /** An AI generation ended: which provider, how long, and how (ok, cancelled, error). */
  "ai.finished": { provider: string; ms: number; outcome: string };
}

export type EventName = keyof EventMap;
export type EventHandler<K extends EventName> = (payload: EventMap[K]) => void | Promise<void>;

export class EventBus {
  private readonly handlers = new Map<EventName, Set<EventHandler<any>>>();

  constructor(private readonly log: Logger) {}

  /** Subscribe; returns the function that unsubscribes. */
  on<K extends EventName>(name: K, handler: EventHandler<K>): () => void {
    let set = this.handlers.get(name);
    if (!set) this.handlers.set(name, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Deliver to every handler. A failing handler is logged and never breaks the emitter or the others. */
  emit<K extends EventName>(name: K, payload: EventMap[K]): void {
    const set = this.handlers.get(name);
    if (!set) return;
    for (const handler of [...set]) {
      try {
        const result = handler(payload);
        if (result instanceof Promise) result.catch((err) => this.log.error("event handler failed", { event: name, err }));
      } catch (err) {
        this.log.error("event handler failed", { event: name, err });
      }
    }
  }

  listenerCount(name: EventName): number {
    return this.handlers.get(name)?.size ?? 0;
  }
}
