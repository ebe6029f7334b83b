// WebSocket methods of the terminal: open, input, resize, close, attach, list; output as notifications.
import type { WsHub } from "../../http/ws-hub.ts";
import type { TerminalService } from "./terminal.service.ts";

export function registerTerminalWs(hub: WsHub, terminals: TerminalService): void {
  const params = (p: unknown) => (p ?? {}) as Record<string, unknown>;
  hub.register("terminal.open", (p, ctx) => terminals.open(ctx.connection.principal, params(p), ctx.connection.id, (m, x) => hub.sendTo(ctx.connection.id, m, x)));
  hub.register("terminal.attach", (p, ctx) => terminals.attach(ctx.connection.principal, params(p).id, ctx.connection.id, (m, x) => hub.sendTo(ctx.connection.id, m, x)));
  hub.register("terminal.input", (p, ctx) => terminals.input(ctx.connection.principal, params(p).id, params(p).data));
  hub.register("terminal.resize", (p, ctx) => terminals.resize(ctx.connection.principal, params(p).id, params(p)));
  hub.register("terminal.close", (p, ctx) => terminals.close(ctx.connection.principal, params(p).id));
  hub.register("terminal.list", (_p, ctx) => ({ terminals: terminals.list(ctx.connection.principal) }));
  hub.onDisconnect((connId) => terminals.detach(connId));
}
