// GET /metrics: the Prometheus exposition (the Owner; or a token with the "metrics" scope, made for
// the scraper alone).
import { Elysia } from "elysia";
import type { MetricsService } from "./metrics.service.ts";

export function metricsRoutes(metrics: MetricsService) {
  return new Elysia({ name: "metrics.routes" }).get("/metrics", async () => {
    const { text, contentType } = await metrics.scrape();
    return new Response(text, { headers: { "content-type": contentType, "cache-control": "no-store" } });
  });
}
