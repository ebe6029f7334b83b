// prom-client is loaded by the first scrape (metrics.service.ts): what happens before is counted
// then, too many waiting observations load it at once, and nothing else loads it.
import { describe, expect, test } from "bun:test";
import { EventBus } from "../../../server/events.ts";
import { createLogger } from "../../../server/log.ts";
import { MetricsService } from "../../../server/services/metrics/metrics.service.ts";
import { startTestNode } from "../../helpers/test-node.ts";
import { claimOwner, httpFetcher } from "../../helpers/wallet-auth.ts";

const quiet = () => createLogger({ level: "error", format: "json", sink: { write: () => {} } });

function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("metrics before prom-client is loaded", () => {
  test("nothing is loaded at start; what happened meanwhile is counted by the first scrape", async () => {
    const events = new EventBus(quiet());
    const metrics = new MetricsService(events);
    {
      for (let i = 0; i < 3; i++) metrics.httpRequest({ method: "GET", route: "/health", status: 200, seconds: 0.002 });
      metrics.httpRequest({ method: "GET", route: "/health", status: 503, seconds: 0.2 });
      events.emit("files.written", { owner: "0xabc", bytes: 1234 });
      events.emit("wasm.finished", { ms: 1500, outcome: "ok" });
      events.emit("ai.finished", { provider: "ollama", ms: 250, outcome: "error" });
      let reads = 0;
      metrics.gauge("test_gauge", "A gauge registered before the load", () => ++reads * 10);
      expect(metrics.loaded()).toBe(false);
      expect(reads).toBe(0);

      const { text, contentType } = await metrics.scrape();
      expect(metrics.loaded()).toBe(true);
      expect(contentType).toContain("text/plain");
      expect(sample(text, 'pc2_http_requests_total{method="GET",route="/health",status="200"}')).toBe(3);
      expect(sample(text, 'pc2_http_requests_total{method="GET",route="/health",status="503"}')).toBe(1);
      expect(sample(text, 'pc2_http_request_duration_seconds_count{method="GET",route="/health"}')).toBe(4);
      expect(sample(text, 'pc2_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/health"}')).toBe(3);
      expect(sample(text, "pc2_files_written_total")).toBe(1);
      expect(sample(text, "pc2_files_written_bytes_total")).toBe(1234);
      expect(sample(text, 'pc2_wasm_runs_total{outcome="ok"}')).toBe(1);
      expect(sample(text, "pc2_wasm_run_duration_seconds_sum")).toBe(1.5);
      expect(sample(text, 'pc2_ai_generations_total{provider="ollama",outcome="error"}')).toBe(1);
      expect(sample(text, "pc2_test_gauge")).toBe(10);
      expect(text).toContain("pc2_process_resident_memory_bytes");

      // Once loaded, observations count at once.
      metrics.httpRequest({ method: "GET", route: "/health", status: 200, seconds: 0.002 });
      const again = (await metrics.scrape()).text;
      expect(sample(again, 'pc2_http_requests_total{method="GET",route="/health",status="200"}')).toBe(4);
      expect(sample(again, "pc2_test_gauge")).toBe(20);
    }
  });

  test("the 10,000th observation waiting loads it at once; nothing less does", async () => {
    const busy = new MetricsService(new EventBus(quiet()));
    for (let i = 0; i < 9_999; i++) busy.httpRequest({ method: "GET", route: "/x", status: 200, seconds: 0 });
    await Bun.sleep(100);
    expect(busy.loaded()).toBe(false);
    busy.httpRequest({ method: "GET", route: "/x", status: 200, seconds: 0 });
    await busy.load();
    expect(busy.loaded()).toBe(true);
    expect(sample((await busy.scrape()).text, 'pc2_http_requests_total{method="GET",route="/x",status="200"}')).toBe(10_000);
  });

  test("a node nobody scrapes never loads it", async () => {
    const metrics = new MetricsService(new EventBus(quiet()));
    metrics.gauge("g", "a gauge", () => 1);
    for (let i = 0; i < 100; i++) metrics.httpRequest({ method: "GET", route: "/x", status: 200, seconds: 0 });
    await Bun.sleep(500);
    expect(metrics.loaded()).toBe(false);
  });

  test("a started node has not loaded it; its first scrape counts the requests made before", async () => {
    const t = await startTestNode();
    try {
      const owner = await claimOwner(httpFetcher(t.url), t.started.setup.code!);
      for (let i = 0; i < 5; i++) expect((await fetch(`${t.url}/health`)).status).toBe(200);
      expect(t.node.services.metrics.loaded()).toBe(false);
      const res = await fetch(`${t.url}/metrics`, { headers: owner.bearer });
      expect(res.status).toBe(200);
      expect(t.node.services.metrics.loaded()).toBe(true);
      expect(sample(await res.text(), 'pc2_http_requests_total{method="GET",route="/health",status="200"}')).toBe(5);
    } finally {
      await t.stop();
    }
  });
});
