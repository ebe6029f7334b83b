// Bodies are read only after the caller is known, within each route's own limit, and JSON nesting is
// capped before the parser runs; the same limits hold over HTTP and /ws.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Pc2WsClient } from "../../web/api/ws-client.ts";
import { builtModule } from "../helpers/wasm-client.ts";
import { startTestNode, type TestNode } from "../helpers/test-node.ts";
import { httpFetcher, ownerAdminMember, type SignedIn } from "../helpers/wallet-auth.ts";

let t: TestNode;
let admin: SignedIn;
let member: SignedIn;

beforeAll(async () => {
  t = await startTestNode();
  ({ admin, member } = await ownerAdminMember(httpFetcher(t.url), t.started.setup.code!));
});
afterAll(() => t.stop());

/** A body stream that counts how many bytes the server actually pulled. */
function countingBody(text: string): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return {
    body: new ReadableStream({
      pull(controller) {
        if (at >= bytes.length) return controller.close();
        const chunk = bytes.subarray(at, at + 16 * 1024);
        at += chunk.length;
        controller.enqueue(chunk);
      },
    }),
    pulled: () => at,
  };
}

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

/** A valid module of about `size` bytes: a sample app with a custom section appended. */
function moduleOfSize(size: number): Uint8Array {
  const base = builtModule("wasm-apps", "calc");
  const name = new TextEncoder().encode("padding");
  const payload = Math.max(0, size - base.length - 16);
  const leb = (n: number) => {
    const out: number[] = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  };
  const content = new Uint8Array(1 + name.length + payload);
  content[0] = name.length;
  content.set(name, 1);
  return new Uint8Array(Buffer.concat([base, Uint8Array.from([0, ...leb(content.length)]), content]));
}

describe("authenticate before reading", () => {
  test("1 MB of nested brackets without a credential: 401 before the body is read", async () => {
    const { body, pulled } = countingBody(nested(500_000));
    const res = await t.node.app.handle(
      new Request("http://127.0.0.1:4200/api/wasm/execute", { method: "POST", headers: { "content-type": "application/json" }, body, duplex: "half" } as RequestInit),
    );
    expect([res.status, (await res.json()).code]).toEqual([401, "token_missing"]);
    expect(pulled()).toBeLessThanOrEqual(64 * 1024);
    const bad = await t.node.app.handle(
      new Request("http://127.0.0.1:4200/api/ai/chat", { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer pc2_" + "x".repeat(43) }, body: nested(1000) }),
    );
    expect([bad.status, (await bad.json()).code]).toEqual([401, "token_auth_failed"]);
  });

  test("where Puter's SDK sends its token in the body, an unknown caller gets a small budget only", async () => {
    const { body, pulled } = countingBody(JSON.stringify({ path: "~", pad: "x".repeat(1_000_000) }));
    const res = await t.node.app.handle(new Request("http://127.0.0.1:4200/stat", { method: "POST", headers: { "content-type": "text/plain;actually=json" }, body, duplex: "half" } as RequestInit));
    expect([res.status, (await res.json()).code]).toEqual([413, "payload_too_large"]);
    expect(pulled()).toBeLessThan(400 * 1024);
    // The body token still works for what the SDK really sends.
    const stat = await fetch(`${t.url}/stat`, { method: "POST", headers: { "content-type": "text/plain;actually=json" }, body: JSON.stringify({ path: "~", auth_token: member.token }) });
    expect(stat.status).toBe(200);
    // …and nowhere else: a body token on another route is no credential.
    const other = await fetch(`${t.url}/api/ai/cloud`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ auth_token: member.token }) });
    expect(other.status).toBe(401);
  });

  test("signed in, JSON nested past 64 levels is refused before parsing; 64 levels are fine", async () => {
    const deep = await fetch(`${t.url}/api/ai/chat`, { method: "POST", headers: { ...member.bearer, "content-type": "application/json" }, body: nested(400_000) });
    expect([deep.status, (await deep.json()).code]).toEqual([400, "json_too_deep"]);
    const inString = await fetch(`${t.url}/stat`, { method: "POST", headers: { ...member.bearer, "content-type": "application/json" }, body: JSON.stringify({ path: "~", note: nested(1000) }) });
    expect(inString.status).toBe(200); // brackets inside a string are text, not nesting
    const ok = await fetch(`${t.url}/stat`, { method: "POST", headers: { ...member.bearer, "content-type": "application/json" }, body: JSON.stringify({ path: "~", x: JSON.parse(nested(63)) }) });
    expect(ok.status).toBe(200);
  });
});

describe("per-route limits, the same over HTTP and /ws", () => {
  test("POST /api/wasm/execute takes a 12 MiB module (base64 well over the 1 MiB default) and refuses 17 MiB as wasm_module_too_large", async () => {
    const big = Buffer.from(moduleOfSize(12 * 1024 * 1024)).toString("base64");
    const run = await fetch(`${t.url}/api/wasm/execute`, { method: "POST", headers: { ...admin.bearer, "content-type": "application/json" }, body: JSON.stringify({ module: big, args: ["6*7"] }) });
    expect(run.status).toBe(200);
    expect((await run.json()).result).toMatchObject({ exitCode: 0, stdout: "42\n" });
    const huge = Buffer.from(moduleOfSize(17 * 1024 * 1024)).toString("base64");
    const refused = await fetch(`${t.url}/api/wasm/execute`, { method: "POST", headers: { ...admin.bearer, "content-type": "application/json" }, body: JSON.stringify({ module: huge }) });
    expect([refused.status, (await refused.json()).code]).toEqual([413, "wasm_module_too_large"]);
    // Other routes keep the default limit.
    const chat = await fetch(`${t.url}/api/ai/chat`, {
      method: "POST",
      headers: { ...admin.bearer, "content-type": "application/json" },
      body: JSON.stringify({ message: "x".repeat(2 * 1024 * 1024) }),
    });
    expect([chat.status, (await chat.json()).code]).toEqual([413, "payload_too_large"]);
  }, 60_000);

  test("over /ws: an Admin's wasm.run with the same 12 MiB module runs; a Member's 2 MiB message is closed with 1009 unread", async () => {
    const ws = await Pc2WsClient.connect(t.wsUrl, { headers: admin.bearer });
    const big = Buffer.from(moduleOfSize(12 * 1024 * 1024)).toString("base64");
    const result = await ws.call<{ exitCode: number; stdout: string }>("wasm.run", { module: big, args: ["6*7"] });
    expect(result).toMatchObject({ exitCode: 0, stdout: "42\n" });
    ws.close();

    const raw = new WebSocket(t.wsUrl, { headers: admin.bearer } as never);
    await new Promise((resolve) => (raw.onopen = resolve));
    const reply = new Promise<{ error: { data: { code: string } } }>((resolve) => (raw.onmessage = (ev) => resolve(JSON.parse(String(ev.data)))));
    raw.send(`{"jsonrpc":"2.0","id":1,"method":"system.ping","params":${nested(100)}}`);
    expect((await reply).error.data.code).toBe("json_too_deep");
    raw.close();

    const memberWs = await Pc2WsClient.connect(t.wsUrl, { headers: member.bearer });
    const closed = new Promise<number>((resolve) => memberWs.onClose((code) => resolve(code)));
    void memberWs.call("system.ping", { pad: "x".repeat(2 * 1024 * 1024) }).catch(() => undefined);
    expect(await closed).toBe(1009);
  }, 60_000);
});
