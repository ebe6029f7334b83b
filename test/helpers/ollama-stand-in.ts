// A stand-in for Ollama's model management (the real server cannot run here), speaking its protocol:
// POST /api/pull streams NDJSON progress ending in { status: "success" }, DELETE /api/delete,
// GET /api/tags lists what was pulled. Unknown models: 404 { error } as Ollama answers.

export function startOllamaStandIn(available: string[]): { url: string; authorizations: (string | null)[]; stop(): void } {
  const pulled = new Set<string>();
  const authorizations: (string | null)[] = [];
  const full = (name: string) => (name.includes(":") ? name : `${name}:latest`);
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      authorizations.push(req.headers.get("authorization"));
      if (req.method === "GET" && url.pathname === "/api/tags") {
        return Response.json({
          models: [...pulled].map((name) => ({ name, model: name, modified_at: new Date(0).toISOString(), size: 1000, digest: "d", details: { format: "gguf", family: "llama" } })),
        });
      }
      // The client sends the model as `name` (Ollama accepts `model` too).
      const body = (await req.json().catch(() => ({}))) as { model?: string; name?: string };
      const name = full(body.model ?? body.name ?? "");
      if (req.method === "POST" && url.pathname === "/api/pull") {
        if (!available.includes(name)) return Response.json({ error: "pull model manifest: file does not exist" }, { status: 404 });
        const lines = [
          { status: "pulling manifest" },
          { status: "pulling 6a0746a1ec1a", digest: "sha256:6a07", total: 3000, completed: 1000 },
          { status: "pulling 6a0746a1ec1a", digest: "sha256:6a07", total: 3000, completed: 3000 },
          { status: "verifying sha256 digest" },
          { status: "success" },
        ];
        pulled.add(name);
        return new Response(lines.map((l) => JSON.stringify(l)).join("\n") + "\n", { headers: { "content-type": "application/x-ndjson" } });
      }
      if (req.method === "DELETE" && url.pathname === "/api/delete") {
        if (!pulled.delete(name)) return Response.json({ error: `model '${name}' not found` }, { status: 404 });
        return new Response(null, { status: 200 });
      }
      return Response.json({ error: "not found" }, { status: 404 });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, authorizations, stop: () => void server.stop(true) };
}
