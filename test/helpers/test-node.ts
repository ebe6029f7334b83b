// A real node in this process on 127.0.0.1, port 0, with a temp data dir and a captured log. Its DHT
// (off until a test turns networking on) binds loopback and knows no bootstrap node: tests never leave the machine.
import { loadConfig, type Config } from "../../server/config.ts";
import { createLogger, type LogLevel } from "../../server/log.ts";
import { Pc2Node, type NodeOptions, type Started } from "../../server/node.ts";
import { makeTempDir } from "./temp-dir.ts";

export interface TestNode {
  node: Pc2Node;
  started: Started;
  url: string;
  wsUrl: string;
  dataDir: string;
  logs: Record<string, unknown>[];
  /** Stop the node and remove its data dir (unless keepData). */
  stop(): Promise<void>;
}

export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    env: { PC2_DATA_DIR: dataDir, PC2_NETWORK_BOOTSTRAP: "none", PC2_NETWORK_IPV4: "127.0.0.1", PC2_NETWORK_PORT: "0", PC2_PORT: "0", PC2_HOST: "127.0.0.1", ...env },
    cwd: dataDir,
  });
}

export interface TestNodeOptions extends NodeOptions {
  env?: Record<string, string>;
  /** Reuse this data dir (and leave it in place on stop). */
  dataDir?: string;
  logLevel?: LogLevel;
  /** Called on the node before it starts listening (e.g. to add a route for a lifecycle test). */
  beforeStart?: (node: Pc2Node) => void;
}

export function createTestNode(options: TestNodeOptions = {}): { node: Pc2Node; logs: Record<string, unknown>[]; dataDir: string; cleanup: () => void } {
  const temp = options.dataDir ? null : makeTempDir();
  const dataDir = options.dataDir ?? temp!.path;
  const logs: Record<string, unknown>[] = [];
  const log = createLogger({ level: options.logLevel ?? "debug", format: "json", sink: { write: (line) => logs.push(JSON.parse(line)) } });
  const node = new Pc2Node(testConfig(dataDir, options.env), { log, assets: options.assets });
  return { node, logs, dataDir, cleanup: () => temp?.remove() };
}

export async function startTestNode(options: TestNodeOptions = {}): Promise<TestNode> {
  const { node, logs, dataDir, cleanup } = createTestNode(options);
  options.beforeStart?.(node);
  const started = await node.start();
  return {
    node,
    started,
    url: started.url,
    wsUrl: started.url.replace(/^http/, "ws") + "/ws",
    dataDir,
    logs,
    async stop() {
      await node.stop("test finished");
      cleanup();
    },
  };
}
