// ai.chat over /ws: the reply streams as ai.token notifications; rpc.cancel stops the generation
// upstream (llama.cpp, Ollama or the cloud request), and the partial reply is kept.
import type { WsHub } from "../../http/ws-hub.ts";
import { SendBody } from "./ai.schemas.ts";
import type { AiService } from "./ai.service.ts";

export function registerAiWs(hub: WsHub, ai: AiService): void {
  hub.register(
    "ai.chat",
    (params, ctx) => {
      let conversationId: string | null = null;
      return ai.send(ctx.connection.principal.address, params, {
        onToken: (text) => ctx.notify("ai.token", { conversationId, text }),
        signal: ctx.signal,
        onStart: (id) => {
          conversationId = id;
          ctx.notify("ai.started", { conversationId: id });
        },
      });
    },
    { params: SendBody },
  );
}
