import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { closeDatabase, openDatabase, type Database } from "../../server/db/database.ts";
import { migrate } from "../../server/db/migrate.ts";
import { createLogger } from "../../server/log.ts";
import { canonicalSetupCode, generateSetupCode } from "../../server/services/setup/setup-code.ts";
import { SetupRepository } from "../../server/services/setup/setup.repository.ts";
import { SetupService } from "../../server/services/setup/setup.service.ts";
import { makeTempDir } from "../helpers/temp-dir.ts";

const log = createLogger({ level: "error", format: "json", sink: { write: () => {} } });

describe("setup code", () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: Database;
  let repo: SetupRepository;
  beforeEach(() => {
    dir = makeTempDir();
    db = openDatabase(join(dir.path, "pc2.db"));
    migrate(db);
    repo = new SetupRepository(db);
  });
  afterEach(() => {
    closeDatabase(db);
    dir.remove();
  });

  test("generated codes are 15 Crockford base32 symbols, each start a new one", () => {
    const codes = new Set(Array.from({ length: 50 }, generateSetupCode));
    expect(codes.size).toBe(50);
    for (const c of codes) expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
  });

  test("stored only as an argon2id hash; the code itself is nowhere in the database", async () => {
    const svc = new SetupService(repo, null, log);
    const { code } = svc.start();
    await svc.ready();
    const row = repo.get();
    expect(row.code_hash).toStartWith("$argon2id$");
    const dump = JSON.stringify(db.query("SELECT * FROM node_setup").all());
    expect(dump).not.toContain(code!);
    expect(dump).not.toContain(code!.replace(/-/g, ""));
  });

  test("verifies the live code (forgiving case and dashes) and nothing else", async () => {
    const svc = new SetupService(repo, null, log);
    const { code } = svc.start();
    expect(await svc.verify(code!)).toBe(true);
    expect(await svc.verify(code!.toLowerCase().replace(/-/g, " "))).toBe(true);
    expect(await svc.verify(generateSetupCode())).toBe(false);
    expect(await svc.verify("")).toBe(false);
    expect(await svc.verify("x".repeat(10_000))).toBe(false);
  });

  test("a restart replaces the code: the old one stops working", async () => {
    const before = new SetupService(repo, null, log);
    const first = before.start().code!;
    await before.ready(); // the previous run of the node had finished (its hash was stored)
    const svc = new SetupService(repo, null, log);
    const second = svc.start().code!;
    expect(second).not.toBe(first);
    expect(await svc.verify(first)).toBe(false);
    expect(await svc.verify(second)).toBe(true);
  });

  test("PC2_SETUP_CODE presets the code, used exactly as given", async () => {
    const svc = new SetupService(repo, "my-install-secret-42", log);
    expect(svc.start()).toEqual({ claimed: false, code: "my-install-secret-42", source: "preset" });
    expect(await svc.verify("my-install-secret-42")).toBe(true);
    expect(await svc.verify("MY-INSTALL-SECRET-42")).toBe(false);
    expect(canonicalSetupCode(" abcde-fghjk-mnpqr ")).toBe("ABCDEFGHJKMNPQR");
  });

  test("claiming kills the code, happens once, and later starts issue none", async () => {
    const svc = new SetupService(repo, null, log);
    const { code } = svc.start();
    await svc.ready();
    expect(svc.claim("0x1111111111111111111111111111111111111111")).toBe(true);
    expect(svc.claim("0x2222222222222222222222222222222222222222")).toBe(false);
    expect(await svc.verify(code!)).toBe(false);
    expect(repo.get().code_hash).toBeNull();
    expect(new SetupService(repo, "preset-ignored-now", log).start()).toEqual({ claimed: true, code: null, source: null });
  });
});
