// Node facts for /health and /api/info: liveness, each component's status, public identity.
import { BUILT_VERSION } from "../../build-constants.ts";
import { roleRank, type Role } from "../../principal.ts";
import { statfsSync } from "node:fs";
import pkg from "../../../package.json" with { type: "json" };

export type ComponentStatus = "ok" | "degraded" | "down";

export interface ComponentHealth {
  status: ComponentStatus;
  [detail: string]: unknown;
}

export type HealthCheck = () => ComponentHealth;

export interface Health {
  status: ComponentStatus;
  uptimeSeconds: number;
  components: Record<string, ComponentHealth>;
}

export interface NodeInfo {
  name: string;
  version: string;
  nodeId: string;
  did: string;
  uptimeSeconds: number;
  startedAt: string;
}

export const VERSION: string = BUILT_VERSION ?? pkg.version;

/** Free space below which the disk is reported degraded: the lesser of 1 GiB and 5% of the volume. */
function diskCheck(dataDir: string): HealthCheck {
  return () => {
    const s = statfsSync(dataDir);
    const free = s.bavail * s.bsize;
    const total = s.blocks * s.bsize;
    const low = free < Math.min(1024 ** 3, total * 0.05);
    return { status: low ? "degraded" : "ok", freeBytes: free, totalBytes: total };
  };
}

export class SystemService {
  private readonly checks = new Map<string, HealthCheck>();
  private readonly startedAt = Date.now();

  constructor(
    private readonly nodeName: string,
    private readonly identity: () => { nodeId: string; did: string },
    dataDir: string,
  ) {
    this.addCheck("disk", diskCheck(dataDir));
  }

  addCheck(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  uptimeSeconds(): number {
    return Math.floor((Date.now() - this.startedAt) / 1000);
  }

  /**
   * What `viewer` may see: anyone gets the overall status (for load balancers and uptime checks);
   * the components (disk sizes, connection counts, schema version) are for Admins and the Owner.
   */
  healthFor(viewer: Role | null): Health | { status: ComponentStatus } {
    const health = this.health();
    return viewer !== null && roleRank(viewer) >= roleRank("admin") ? health : { status: health.status };
  }

  health(): Health {
    const components: Record<string, ComponentHealth> = {};
    for (const [name, check] of this.checks) {
      try {
        components[name] = check();
      } catch (err) {
        components[name] = { status: "down", error: (err as Error).message };
      }
    }
    const all = Object.values(components).map((c) => c.status);
    const status: ComponentStatus = all.includes("down") ? "down" : all.includes("degraded") ? "degraded" : "ok";
    return { status, uptimeSeconds: this.uptimeSeconds(), components };
  }

  info(): NodeInfo {
    const { nodeId, did } = this.identity();
    return {
      name: this.nodeName,
      version: VERSION,
      nodeId,
      did,
      uptimeSeconds: this.uptimeSeconds(),
      startedAt: new Date(this.startedAt).toISOString(),
    };
  }
}
