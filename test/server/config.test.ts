import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../server/config.ts";
import { makeTempDir } from "../helpers/temp-dir.ts";

describe("config", () => {
  test("defaults: 127.0.0.1:4200, ./data resolved against the working directory", () => {
    const c = loadConfig({ env: {}, cwd: "/srv/pc2" });
    expect(c.host).toBe("127.0.0.1");
    expect(c.port).toBe(4200);
    expect(c.dataDir).toBe("/srv/pc2/data");
    expect(c.setupCode).toBeNull();
    expect(c.logFormat).toBe("json");
    expect(loadConfig({ env: {}, isTTY: true }).logFormat).toBe("pretty");
  });

  test("environment overrides", () => {
    const c = loadConfig({ env: { PC2_HOST: "::1", PC2_PORT: "8080", PC2_DATA_DIR: "/var/lib/pc2", PC2_SETUP_CODE: "correct-horse", PC2_WS_HEARTBEAT_MS: "5000" } });
    expect([c.host, c.port, c.dataDir, c.setupCode, c.ws.heartbeatIntervalMs]).toEqual(["::1", 8080, "/var/lib/pc2", "correct-horse", 5000]);
  });

  test("config file, with the environment taking precedence", () => {
    const dir = makeTempDir();
    try {
      const file = join(dir.path, "pc2.json");
      writeFileSync(file, JSON.stringify({ port: 5000, nodeName: "Home", log: { level: "warn" }, ws: { maxMessageBytes: 4096 } }));
      const c = loadConfig({ env: { PC2_CONFIG: file, PC2_PORT: "6000" } });
      expect(c.port).toBe(6000);
      expect(c.nodeName).toBe("Home");
      expect(c.logLevel).toBe("warn");
      expect(c.ws.maxMessageBytes).toBe(4096);
      expect(c.configFile).toBe(file);
    } finally {
      dir.remove();
    }
  });

  test("the result is frozen", () => {
    const c = loadConfig({ env: {} });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.ws)).toBe(true);
  });

  test("every problem is listed at once", () => {
    const dir = makeTempDir();
    try {
      const file = join(dir.path, "pc2.json");
      writeFileSync(file, JSON.stringify({ prot: 1, ws: { heartbeatIntervalMs: "soon" } }));
      let err: ConfigError | null = null;
      try {
        loadConfig({ env: { PC2_CONFIG: file, PC2_PORT: "70000", PC2_HOST: "bad host/", PC2_LOG_LEVEL: "loud", PC2_SETUP_CODE: "short" } });
      } catch (e) {
        err = e as ConfigError;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const text = err!.problems.join("\n");
      expect(err!.problems.length).toBe(6);
      for (const word of ['unknown setting "prot"', "PC2_PORT", "PC2_HOST", "PC2_LOG_LEVEL", "PC2_SETUP_CODE", "ws.heartbeatIntervalMs"]) expect(text).toContain(word);
    } finally {
      dir.remove();
    }
  });

  test("an unreadable or malformed config file is a problem, not a crash", () => {
    const dir = makeTempDir();
    try {
      expect(() => loadConfig({ env: { PC2_CONFIG: join(dir.path, "missing.json") } })).toThrow(/cannot read/);
      const bad = join(dir.path, "bad.json");
      writeFileSync(bad, "{ port: 1 ");
      expect(() => loadConfig({ env: { PC2_CONFIG: bad } })).toThrow(/not valid JSON/);
      writeFileSync(bad, "[1,2]");
      expect(() => loadConfig({ env: { PC2_CONFIG: bad } })).toThrow(/top level must be an object/);
    } finally {
      dir.remove();
    }
  });

  test("network settings: defaults, the bootstrap list, and what is refused", () => {
    const d = loadConfig({ env: {} }).network;
    expect(d).toMatchObject({ mode: "node", port: 39001, ipv4: "0.0.0.0", ipv6: null, developmentMode: false, maxRecords: 20000 });
    expect(d.bootstrap).toHaveLength(8);
    expect(d.bootstrap.at(-1)).toEqual({ id: "J1h7RHv5iHhT43zsXxMCg7zGmZq6g4Ec2VJeCkSGry2E", host: "69.164.241.210", port: 39001 });
    const c = loadConfig({
      env: {
        PC2_NETWORK_MODE: "super",
        PC2_NETWORK_BOOTSTRAP: "HZXXs9LTfNQjrDKvvexRhuMk8TTJhYCfrHwaj3jUzuhZ@[2001:db8::1]:39001",
        PC2_NETWORK_IPV4: "off",
        PC2_NETWORK_IPV6: "::",
        PC2_NETWORK_DEVELOPMENT_MODE: "true",
      },
    }).network;
    expect(c).toMatchObject({ mode: "super", ipv4: null, ipv6: "::", developmentMode: true, bootstrap: [{ host: "2001:db8::1", port: 39001 }] });
    expect(loadConfig({ env: { PC2_NETWORK_BOOTSTRAP: "none" } }).network.bootstrap).toEqual([]);
    for (const [env, name] of [
      [{ PC2_NETWORK_MODE: "relay" }, "PC2_NETWORK_MODE"],
      [{ PC2_NETWORK_BOOTSTRAP: "someone@1.2.3.4" }, "PC2_NETWORK_BOOTSTRAP"],
      [{ PC2_NETWORK_BOOTSTRAP: "HZXXs9LTfNQjrDKvvexRhuMk8TTJhYCfrHwaj3jUzuhZ@1.2.3.4:70000" }, "PC2_NETWORK_BOOTSTRAP"],
      [{ PC2_NETWORK_IPV4: "example.com" }, "PC2_NETWORK_IPV4"],
      [{ PC2_NETWORK_DEVELOPMENT_MODE: "yes" }, "PC2_NETWORK_DEVELOPMENT_MODE"],
      [{ PC2_NETWORK_IPV6: "::" }, "PC2_NETWORK_IPV6"],
    ] as const) {
      expect(() => loadConfig({ env })).toThrow(ConfigError);
      try {
        loadConfig({ env });
      } catch (err) {
        expect((err as ConfigError).problems.join("\n")).toContain(name);
      }
    }
  });
});
