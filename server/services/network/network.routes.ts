// GET /api/network/status, GET /api/network/lookup/:nodeId, PUT /api/network/settings, and the
// node's public name: GET/PUT/DELETE /api/network/name, GET /api/network/name/available.
import { Elysia } from "elysia";
import { principalOf } from "../../http/auth-guard.ts";
import type { AuditService } from "../audit/audit.service.ts";
import { NameBody, NameQuery, NetworkSettingsBody, NodeIdParams } from "./network.schemas.ts";
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
    )
    .get("/api/network/name", () => network.publicName())
    .get("/api/network/name/available", ({ query }) => network.nameAvailable(query.name), { query: NameQuery })
    .put(
      "/api/network/name",
      async ({ body, request }) => {
        const registered = await network.registerName(body.name);
        audit.record({ actor: principalOf(request).address, action: "network.name_registered", detail: { ...registered } });
        return registered;
      },
      { body: NameBody },
    )
    .delete("/api/network/name", async ({ request }) => {
      const before = network.publicName().name;
      await network.releaseName();
      if (before) audit.record({ actor: principalOf(request).address, action: "network.name_released", detail: { name: before } });
      return network.publicName();
    });
}
