// GET /api/network/status, GET /api/network/lookup/:nodeId, PUT /api/network/settings.
import { Elysia } from "elysia";
import { principalOf } from "../../http/auth-guard.ts";
import type { AuditService } from "../audit/audit.service.ts";
import { NetworkSettingsBody, NodeIdParams } from "./network.schemas.ts";
import type { NetworkService } from "./network.service.ts";

export function networkRoutes(network: NetworkService, audit: AuditService) {
  return new Elysia({ name: "network.routes" })
    .get("/api/network/status", ({ set }) => {
      set.headers["cache-control"] = "no-store";
      return network.status();
    })
    .get("/api/network/lookup/:nodeId", ({ params }) => network.lookup(params.nodeId), { params: NodeIdParams })
    .put(
      "/api/network/settings",
      async ({ body, request }) => {
        const status = await network.setEnabled(body.enabled);
        audit.record({ actor: principalOf(request).address, action: "network.settings_changed", detail: { enabled: body.enabled } });
        return status;
      },
      { body: NetworkSettingsBody },
    );
}
