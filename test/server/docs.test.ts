import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describeSettings } from "../../server/config.ts";
import { WS_CLOSE } from "../../server/http/ws-protocol.ts";
import { createTestNode } from "../helpers/test-node.ts";

const docs = (name: string) => readFileSync(join(import.meta.dir, "..", "..", "docs", name), "utf8");

// Keeps the docs true: anything a user can set or call must be written down.
describe("docs", () => {
  test("operations.md lists every setting with its config-file key", () => {
    const text = docs("operations.md");
    for (const s of describeSettings()) {
      expect(text).toContain(`\`${s.env}\``);
      expect(text).toContain(`\`${s.file}\``);
    }
  });

  test("websocket-api.md lists every method, topic and close code", async () => {
    const text = docs("websocket-api.md");
    const { node, cleanup } = createTestNode();
    try {
      for (const m of node.hub.methodNames()) expect(text).toContain(`\`${m}\``);
    } finally {
      await node.stop();
      cleanup();
    }
    for (const code of Object.values(WS_CLOSE)) expect(text).toContain(`| ${code} |`);
    expect(text).toContain("`node`");
  });
});
