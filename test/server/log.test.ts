import { describe, expect, test } from "bun:test";
import { createLogger } from "../../server/log.ts";

function capture(level: "debug" | "info" | "warn" | "error" = "debug") {
  const lines: string[] = [];
  return { lines, log: createLogger({ level, format: "json", sink: { write: (l) => lines.push(l) } }) };
}

describe("logger", () => {
  test("writes one JSON object per line with child bindings", () => {
    const { lines, log } = capture();
    log.child({ svc: "auth" }).info("signed in", { wallet: "0xabc" });
    const rec = JSON.parse(lines[0]!);
    expect(rec).toMatchObject({ level: "info", msg: "signed in", svc: "auth", wallet: "0xabc" });
    expect(typeof rec.time).toBe("string");
  });

  test("drops lines below the level", () => {
    const { lines, log } = capture("warn");
    log.info("quiet");
    log.debug("quieter");
    log.error("loud");
    expect(lines.length).toBe(1);
  });

  test("never writes secrets, however deeply nested", () => {
    const { lines, log } = capture();
    const secrets = ["tok-123", "s3cr3t", "abandon ability", "ABCDE-FGHJK", "0xsig", "deadbeef", "Bearer xyz", "pc2_session=1"];
    log.info("x", {
      token: secrets[0],
      nested: { clientSecret: secrets[1], deeper: [{ mnemonic: secrets[2] }] },
      setupCode: secrets[3],
      signature: secrets[4],
      privateKey: secrets[5],
      headers: { authorization: secrets[6], cookie: secrets[7] },
      safe: "visible",
    });
    for (const s of secrets) expect(lines[0]).not.toContain(s);
    expect(lines[0]).toContain("visible");
    expect(lines[0]).toContain("[redacted]");
  });

  test("errors are logged with their message", () => {
    const { lines, log } = capture();
    log.error("failed", { err: new Error("disk full") });
    expect(JSON.parse(lines[0]!).err.message).toBe("disk full");
  });
});
