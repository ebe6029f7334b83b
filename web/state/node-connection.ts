// The tab's one WebSocket connection to the node, shared by every app: opened on first use, opened
// again after a drop (with backoff) while anyone still listens, topic subscriptions counted so one
// app leaving does not unsubscribe another. Apps get it from the desktop through a context.
import { Pc2WsClient, type CallOptions } from "../api/ws-client.ts";

type Listener = (params: unknown) => void;

const MAX_BACKOFF_MS = 10_000;

export class NodeConnection {
  private client: Pc2WsClient | null = null;
  private opening: Promise<Pc2WsClient> | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly topics = new Map<string, number>();
  private readonly reopenListeners = new Set<() => void>();
  private closedByUs = false;
  private backoffMs = 250;
  private retry: ReturnType<typeof setTimeout> | null = null;

  /** `headers`: for clients that are not browsers (tests, scripts); a browser sends its cookie. */
  constructor(
    private readonly url: string,
    private readonly headers?: Record<string, string>,
  ) {}

  /** The open connection, opening it if needed. */
  ready(): Promise<Pc2WsClient> {
    if (this.client && !this.client.closed) return Promise.resolve(this.client);
    this.opening ??= this.open().finally(() => (this.opening = null));
    return this.opening;
  }

  private async open(): Promise<Pc2WsClient> {
    const client = await Pc2WsClient.connect(this.url, this.headers ? { headers: this.headers } : {});
    const first = this.client === null;
    this.client = client;
    this.backoffMs = 250;
    for (const method of this.listeners.keys()) this.forward(client, method);
    if (this.topics.size) await client.subscribe([...this.topics.keys()]);
    client.onClose(() => this.dropped());
    if (!first) for (const l of this.reopenListeners) l();
    return client;
  }

  private forward(client: Pc2WsClient, method: string): void {
    client.on(method, (p) => {
      for (const l of this.listeners.get(method) ?? []) l(p);
    });
  }

  /** The socket closed: open it again (after a pause) while someone still listens. */
  private dropped(): void {
    if (this.closedByUs || (this.listeners.size === 0 && this.topics.size === 0)) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.ready().catch(() => this.dropped());
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }

  async call<T = unknown>(method: string, params?: object, options?: CallOptions): Promise<T> {
    return (await this.ready()).call<T>(method, params, options);
  }

  /** Listen for notifications named `method` on this and every later socket; returns the off switch. */
  on(method: string, listener: Listener): () => void {
    let set = this.listeners.get(method);
    if (!set) {
      this.listeners.set(method, (set = new Set()));
      if (this.client && !this.client.closed) this.forward(this.client, method);
    }
    set.add(listener);
    return () => void set.delete(listener);
  }

  /** Subscribe to a topic for as long as the returned function is not called. */
  async subscribe(topic: string): Promise<() => void> {
    const count = this.topics.get(topic) ?? 0;
    this.topics.set(topic, count + 1);
    if (count === 0) await (await this.ready()).subscribe([topic]);
    return () => {
      const left = (this.topics.get(topic) ?? 1) - 1;
      if (left > 0) return void this.topics.set(topic, left);
      this.topics.delete(topic);
      if (this.client && !this.client.closed) void this.client.unsubscribe([topic]).catch(() => undefined);
    };
  }

  /** Be told when the connection was opened again after a drop (re-attach, refresh what may be stale). */
  onReopen(listener: () => void): () => void {
    this.reopenListeners.add(listener);
    return () => void this.reopenListeners.delete(listener);
  }

  /** Sign-out: close for good. */
  close(): void {
    this.closedByUs = true;
    if (this.retry) clearTimeout(this.retry);
    this.client?.close();
  }
}
