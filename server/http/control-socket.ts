// The node's control socket: a Unix socket in the data directory (0600, so only the node's own OS
// user can connect, as with docker.sock) that answers the `pc2` CLI's questions to the running node.
// It carries no credentials and offers only what the machine's operator may ask; it is not on the network.
import { chmodSync, existsSync, unlinkSync } from "node:fs";
import type { Server } from "bun";

export type ControlHandler = (url: URL) => Promise<unknown> | unknown;

export class ControlSocket {
  private server: Server<undefined> | null = null;

  constructor(
    readonly path: string,
    private readonly routes: Record<string, ControlHandler>,
  ) {}

  /** Serve. A socket file left by a killed node is replaced (the data-directory lock proves it is stale). */
  start(): void {
    if (existsSync(this.path)) unlinkSync(this.path);
    this.server = Bun.serve({
      unix: this.path,
      fetch: async (request) => {
        const url = new URL(request.url);
        const route = Object.keys(this.routes).find((r) => url.pathname === r || (r.endsWith("/") && url.pathname.startsWith(r)));
        if (request.method !== "GET" || !route) return Response.json({ error: "Not found", code: "not_found", message: "No such control command" }, { status: 404 });
        try {
          return Response.json(await this.routes[route]!(url));
        } catch (err) {
          const e = err as { status?: number; code?: string; message?: string };
          return Response.json({ error: e.message ?? "error", code: e.code ?? "internal_error", message: e.message ?? "" }, { status: e.status ?? 500 });
        }
      },
    });
    chmodSync(this.path, 0o600);
  }

  /** Stop listening; an answer being written (the one that asked for a restart) still goes out. */
  stop(): void {
    void this.server?.stop(false);
    this.server = null;
    if (existsSync(this.path)) unlinkSync(this.path);
  }
}

/**
 * Ask the running node over its control socket; null when no node is running on this data
 * directory, or it does not answer within `timeoutMs` (a node that accepts and never answers must
 * not hold its caller — an update's trial polls a new release this way).
 */
export async function askNode(path: string, route: string, timeoutMs = 10_000): Promise<{ status: number; body: any } | null> {
  if (!existsSync(path)) return null;
  try {
    const res = await fetch(`http://pc2${route}`, { unix: path, signal: AbortSignal.timeout(timeoutMs) } as RequestInit);
    return { status: res.status, body: await res.json() };
  } catch {
    return null;
  }
}
