import { describe, expect, test } from "bun:test";
import { EventBus } from "../../server/events.ts";
import { createLogger } from "../../server/log.ts";

describe("event bus", () => {
  const lines: string[] = [];
  const log = createLogger({ level: "debug", format: "json", sink: { write: (l) => lines.push(l) } });

  test("delivers typed payloads and unsubscribes", () => {
    const bus = new EventBus(log);
    const seen: string[] = [];
    const off = bus.on("node.stopping", (p) => void seen.push(p.reason));
    bus.emit("node.stopping", { reason: "a" });
    off();
    bus.emit("node.stopping", { reason: "b" });
    expect(seen).toEqual(["a"]);
    expect(bus.listenerCount("node.stopping")).toBe(0);
    bus.on("node.stopping", () => undefined);
    bus.on("node.stopping", () => undefined);
    expect(bus.listenerCount("node.stopping")).toBe(2);
    expect(bus.listenerCount("auth.signed_in")).toBe(0);
  });

  test("a failing handler is logged and does not stop the others", async () => {
    const bus = new EventBus(log);
    const seen: string[] = [];
    bus.on("node.stopping", () => {
      throw new Error("boom");
    });
    bus.on("node.stopping", async () => {
      throw new Error("async boom");
    });
    bus.on("node.stopping", (p) => void seen.push(p.reason));
    expect(() => bus.emit("node.stopping", { reason: "x" })).not.toThrow();
    await Bun.sleep(1);
    expect(seen).toEqual(["x"]);
    const failures = lines.filter((l) => l.includes("event handler failed")).map((l) => JSON.parse(l));
    expect(failures.length).toBe(2);
    // Each says which event and why.
    expect(failures.map((f) => f.event)).toEqual(["node.stopping", "node.stopping"]);
    expect(failures.map((f) => JSON.stringify(f.err)).join()).toContain("boom");
  });
});
