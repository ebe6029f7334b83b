// A stand-in for an OpenAI-compatible cloud provider (the real one cannot be reached from tests):
// GET /v1/models and POST /v1/chat/completions streamed as server-sent events, behind a Bearer key.
// It records which keys it was sent and whether a stream's client went away before the end.

export interface StandIn {
  url: string;
  /** Authorization headers seen, in order. */
  keys: string[];
  /** Streams whose client disconnected before the last chunk. */
  abandoned: number;
  stop(): void;
}

export function startOpenAiStandIn(validKey: string, chunks: string[], gapMs = 30): StandIn {
  const state = { keys: [] as string[], abandoned: 0 };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const url = new URL(req.url);
      const auth = req.headers.get("authorization") ?? "";
      state.keys.push(auth);
      if (auth !== `Bearer ${validKey}`) return Response.json({ error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" } }, { status: 401 });
      if (req.method === "GET" && url.pathname === "/v1/models") return Response.json({ object: "list", data: [{ id: "gpt-test", object: "model", owned_by: "stand-in" }] });
      if (req.method !== "POST" || url.pathname !== "/v1/chat/completions") return Response.json({ error: { message: "not found" } }, { status: 404 });
      const encoder = new TextEncoder();
      const event = (data: unknown) => encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
      const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
        id: "chatcmpl-1",
        object: "chat.completion.chunk",
        created: 0,
        model: "gpt-test",
        choices: [{ index: 0, delta, finish_reason: finish }],
      });
      return new Response(
        new ReadableStream({
          async start(controller) {
            controller.enqueue(event(chunk({ role: "assistant", content: "" }, null)));
            for (const c of chunks) {
              await Bun.sleep(gapMs);
              if (req.signal.aborted) {
                state.abandoned++;
                return;
              }
              controller.enqueue(event(chunk({ content: c }, null)));
            }
            controller.enqueue(event(chunk({}, "stop")));
            controller.enqueue(
              event({ id: "chatcmpl-1", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 5, completion_tokens: chunks.length, total_tokens: 5 + chunks.length } }),
            );
            controller.enqueue(event("[DONE]"));
            controller.close();
          },
        }),
        { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } },
      );
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/v1`,
    get keys() {
      return state.keys;
    },
    get abandoned() {
      return state.abandoned;
    },
    stop: () => void server.stop(true),
  };
}
