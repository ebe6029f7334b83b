// /metrics through a real node: who may scrape it (the Owner, or a token with the metrics scope),
// and what it says, parsed and linted by Prometheus's own promtool: requests by route and status,
// latency histograms, uploads and bytes, WASM runs, sockets, IPFS, disk, memory, event-loop lag.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { filesClient } from "../../helpers/files-client.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { addUser, claimOwner, httpFetcher, mintToken, type SignedIn } from "../../helpers/wallet-auth.ts";

let t: TestNode;
let owner: SignedIn;
let admin: SignedIn;
let member: SignedIn;

const mint = (who: SignedIn, scopes: string[]) => mintToken(httpFetcher(t.url), who, scopes, "metrics");

/** The exposition as samples: name{labels} → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

beforeAll(async () => {
  t = await startTestNode();
  const h = httpFetcher(t.url);
  owner = await claimOwner(h, t.started.setup.code!);
  admin = await addUser(h, owner, "admin");
  member = await addUser(h, owner, "member");
  // Before the first scrape: the blockstore is counted at most once a minute.
  await filesClient(h, owner).write("~/Documents", "counted.txt", "12345");
  // More than one 1 MiB leaf: its root is a block stored in the blockstore (the leaves are not).
  await filesClient(h, owner).write("~/Documents", "two-leaves.bin", new Uint8Array(1024 * 1024 + 1));
  await t.node.services.pins.settled(); // a small file's block is stored just after its answer
});
afterAll(() => t.stop());

describe("GET /metrics", () => {
  test("the Owner or a metrics token; nobody else", async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: member.bearer })).status).toBe(403);
    expect((await fetch(`${t.url}/metrics`, { headers: admin.bearer })).status).toBe(403);
    expect((await fetch(`${t.url}/metrics`, { headers: owner.bearer })).status).toBe(200);
    const scraper = await mint(owner, ["metrics"]);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${scraper}` } })).status).toBe(200);
    const filesOnly = await mint(owner, ["files:read"]);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${filesOnly}` } })).status).toBe(403);
    // A scraper's token reaches nothing else.
    expect((await fetch(`${t.url}/api/users`, { headers: { authorization: `Bearer ${scraper}` } })).status).toBe(403);
  });

  test("promtool parses and lints it; it counts what happened", async () => {
    for (let i = 0; i < 3; i++) await fetch(`${t.url}/health`);
    await fetch(`${t.url}/api/nothing-here`);
    const ws = new WebSocket(`${t.url.replace("http", "ws")}/ws`, { headers: owner.bearer } as unknown as string[]);
    await new Promise((resolve) => (ws.onopen = resolve));

    const res = await fetch(`${t.url}/metrics`, { headers: owner.bearer });
    expect(res.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
    const text = await res.text();
    ws.close();

    const lint = Bun.spawn(["promtool", "check", "metrics"], { stdin: new Blob([text]), stdout: "pipe", stderr: "pipe" });
    const [out, err] = [await new Response(lint.stdout).text(), await new Response(lint.stderr).text()];
    if ((await lint.exited) !== 0) console.log(out, err);
    expect(await lint.exited).toBe(0);

    const s = samples(text);
    expect(s.get('pc2_http_requests_total{method="GET",route="/health",status="200"}')).toBeGreaterThanOrEqual(3);
    // An unknown path under the desktop's catch-all route is counted under that route, not its own path.
    expect(s.get('pc2_http_requests_total{method="GET",route="/*",status="404"}')).toBeGreaterThanOrEqual(1);
    expect(s.get('pc2_http_request_duration_seconds_count{method="GET",route="/health"}')).toBeGreaterThanOrEqual(3);
    expect(s.get('pc2_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/health"}')).toBeGreaterThanOrEqual(3);
    expect(s.get("pc2_files_written_total")).toBeGreaterThanOrEqual(1);
    expect(s.get("pc2_files_written_bytes_total")).toBeGreaterThanOrEqual(5);
    expect(s.get("pc2_websocket_connections")).toBeGreaterThanOrEqual(1);
    expect(s.get("pc2_ipfs_pinned_cids")).toBeGreaterThanOrEqual(1);
    expect(s.get("pc2_ipfs_blocks")).toBeGreaterThanOrEqual(1);
    expect(s.get("pc2_ipfs_owed_pins")).toBe(0);
    expect(s.get("pc2_disk_free_bytes")).toBeGreaterThan(0);
    expect(s.get("pc2_process_resident_memory_bytes")).toBeGreaterThan(10 * 1024 * 1024);
    expect(s.has("pc2_nodejs_eventloop_lag_seconds")).toBe(true);
    expect(s.get("pc2_terminal_sessions")).toBe(0);
    expect(s.get("pc2_wasm_queued_runs")).toBe(0);
    // No raw paths as labels: every route label is a pattern (or "unmatched").
    for (const key of s.keys()) {
      const route = /route="([^"]*)"/.exec(key)?.[1];
      if (route && route !== "unmatched" && route !== "/ws") expect(route).not.toContain("nothing-here");
    }
  });

  test("a WASM run is counted with its outcome and duration", async () => {
    const run = await fetch(`${t.url}/api/wasm/execute`, {
      method: "POST",
      headers: { ...owner.bearer, "content-type": "application/json" },
      body: JSON.stringify({ app: "calc", args: ["1+1"] }),
    });
    expect(run.status).toBe(200);
    const s = samples(await (await fetch(`${t.url}/metrics`, { headers: owner.bearer })).text());
    expect(s.get('pc2_wasm_runs_total{outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(s.get("pc2_wasm_run_duration_seconds_count")).toBeGreaterThanOrEqual(1);
  });
});
