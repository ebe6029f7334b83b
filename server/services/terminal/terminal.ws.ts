// WebSocket methods of the terminal: open, input, resize, close, attach, list; output as notifications.
import type { WsHub } from "../../http/ws-hub.ts";
import type { TerminalService } from "./terminal.service.ts";
import { NoParams } from "../../http/schema.ts";
import { OpenTerminal, ResizeTerminal, TerminalInput, TerminalRef } from "./terminal.schemas.ts";

export function registerTerminalWs(hub: WsHub, terminals: TerminalService): void {
  const sendTo = (connId: number) => (m: string, x: unknown) => hub.sendTo(connId, m, x);
  hub.register("terminal.open", (p, ctx) => terminals.open(ctx.connection.principal, p, ctx.connection.id, sendTo(ctx.connection.id)), { params: OpenTerminal });
  hub.register("terminal.attach", (p, ctx) => terminals.attach(ctx.connection.principal, p.id, ctx.connection.id, sendTo(ctx.connection.id)), { params: TerminalRef });
  hub.register("terminal.input", (p, ctx) => terminals.input(ctx.connection.principal, p.id, p.data), { params: TerminalInput });
  hub.register("terminal.resize", (p, ctx) => terminals.resize(ctx.connection.principal, p.id, p), { params: ResizeTerminal });
  hub.register("terminal.close", (p, ctx) => terminals.close(ctx.connection.principal, p.id), { params: TerminalRef });
  hub.register("terminal.list", (_p, ctx) => ({ terminals: terminals.list(ctx.connection.principal) }), { params: NoParams });
  hub.onDisconnect((connId) => terminals.detach(connId));
}
