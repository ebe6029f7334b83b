// Binding a node's public port on the super node. A port in the range may be held by another
// program (or by an outgoing connection's ephemeral port on the same host): it is skipped, so the
// port a node is told in its AUTH ACK is always one the super node really listens on.
import { createServer, type Server, type Socket } from "node:net";

const TAKEN = new Set(["EADDRINUSE", "EACCES"]);

/**
 * Listen on the first of `ports` that can be bound on `host`, handing each connection to
 * `onConnection`. Null when every candidate is taken; any other listen error is thrown.
 */
export async function listenOnFirstFree(ports: Iterable<number>, host: string, onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number } | null> {
  for (const port of ports) {
    const server = createServer(onConnection);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
    } catch (err) {
      server.close();
      if (TAKEN.has((err as NodeJS.ErrnoException).code ?? "")) continue;
      throw err;
    }
    server.on("error", () => {});
    return { server, port };
  }
  return null;
}
