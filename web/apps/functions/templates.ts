// What a new function starts from: small, working examples of what functions are for.
export interface Template {
  id: string;
  title: string;
  code: string;
}

export const TEMPLATES: Template[] = [
  {
    id: "api",
    title: "JSON API (routes with URLPattern)",
    code: `// A small JSON API. Open the function's URL, or /hello/<name> under it.
const hello = new URLPattern({ pathname: "/hello/:name" });

export default {
  fetch(request: Request): Response {
    const match = hello.exec(request.url);
    if (match) return Response.json({ hello: match.pathname.groups.name });
    return Response.json({ routes: ["/hello/:name"], time: new Date().toISOString() });
  },
};
`,
  },
  {
    id: "counter",
    title: "Visit counter (Deno KV)",
    code: `// Counts visits per path in the function's own key-value store.
const kv = await Deno.openKv();

Deno.serve(async (request) => {
  const path = new URL(request.url).pathname;
  await kv.atomic().sum(["visits", path], 1n).commit();
  const visits = await kv.get<Deno.KvU64>(["visits", path]);
  return new Response(\`\${path} has been visited \${visits.value} times\\n\`);
});
`,
  },
  {
    id: "websocket",
    title: "WebSocket echo",
    code: `// Echoes every message back over a WebSocket; a plain request gets a page that connects.
export default {
  fetch(request: Request): Response {
    if (request.headers.get("upgrade") !== "websocket") {
      const page = \`<!doctype html><title>Echo</title><input id=m autofocus><pre id=log></pre>
<script>const ws = new WebSocket(location.href.replace(/^http/, "ws"));
ws.onmessage = (e) => (log.textContent += e.data + "\\\\n");
m.onkeydown = (e) => { if (e.key === "Enter") { ws.send(m.value); m.value = ""; } };</script>\`;
      return new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } });
    }
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onopen = () => socket.send("connected");
    socket.onmessage = (event) => socket.send(\`echo: \${event.data}\`);
    return response;
  },
};
`,
  },
  {
    id: "webhook",
    title: "Webhook receiver (signed with a secret)",
    code: `// Accepts POSTs whose X-Signature is the HMAC-SHA256 of the body, keyed with the WEBHOOK_SECRET secret.
const secret = Deno.env.get("WEBHOOK_SECRET") ?? "";
const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);

export default {
  async fetch(request: Request): Promise<Response> {
    if (request.method !== "POST") return new Response("POST a signed body here", { status: 405 });
    const body = await request.text();
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
    const expected = [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
    if (!secret || request.headers.get("x-signature") !== expected) return new Response("bad signature", { status: 401 });
    console.log("webhook received", body.slice(0, 200));
    return Response.json({ ok: true });
  },
};
`,
  },
];
