// Checking for updates against a release server on loopback: a manifest signed by the trusted key
// for this platform and channel, newer than what runs, is "available" with its notes; a bad
// signature, another key, platform or channel, a version too new to reach directly, a malformed or
// oversized document and a server error are each reported with their reason and never offered; an
// equal or older version is "up to date". Through the API (the Owner's only) and `pc2 update check`.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { createLogger } from "../../../server/log.ts";
import { UpdateService } from "../../../server/services/update/update.service.ts";
import { checkRelease, publisherKeyOf, ReleaseRefused, type ReleaseManifest, signRelease, thisPlatform } from "../../../server/update/release-manifest.ts";
import { runCli } from "../../helpers/spawned-node.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { startTestNode, type TestNode } from "../../helpers/test-node.ts";
import { addUser, claimOwner, httpFetcher, type SignedIn } from "../../helpers/wallet-auth.ts";

const seed = randomBytes(32);
const publicKey = publisherKeyOf(seed);
const manifest = (over: Partial<ReleaseManifest> = {}): ReleaseManifest => ({
  version: "0.2.0",
  channel: "stable",
  platform: thisPlatform(),
  url: "https://releases.example/pc2/pc2-0.2.0",
  sha256: "ab".repeat(32),
  size: 90_000_000,
  minFrom: "0.1.0",
  notes: "Faster uploads.",
  ...over,
});
const ctx = { publicKey, running: "0.1.0", platform: thisPlatform(), channel: "stable" };
const reasonOf = (doc: unknown, c = ctx) => {
  try {
    checkRelease(doc, c);
    return "accepted";
  } catch (err) {
    if (err instanceof ReleaseRefused) return err.reason;
    throw err;
  }
};

describe("release manifests", () => {
  test("accepted: signed by the trusted key, for this platform and channel, newer, reachable from here", () => {
    expect(checkRelease(signRelease(manifest(), seed), ctx)).toMatchObject({ version: "0.2.0", notes: "Faster uploads." });
    // A JSON round trip (the document as published) checks the same.
    expect(reasonOf(JSON.parse(JSON.stringify(signRelease(manifest(), seed))))).toBe("accepted");
  });

  test("refused, each with its reason", () => {
    const signed = signRelease(manifest(), seed);
    expect(reasonOf({ ...signed, manifest: { ...signed.manifest, sha256: "cd".repeat(32) } })).toBe("bad_signature");
    expect(reasonOf({ ...signed, manifest: { ...signed.manifest, version: "9.9.9" } })).toBe("bad_signature");
    expect(reasonOf(signRelease(manifest(), randomBytes(32)))).toBe("bad_signature");
    expect(reasonOf({ ...signed, signature: "" })).toBe("bad_signature");
    expect(reasonOf(signRelease(manifest({ platform: "darwin-arm64" }), seed))).toBe("wrong_platform");
    expect(reasonOf(signRelease(manifest({ channel: "beta" }), seed))).toBe("wrong_channel");
    expect(reasonOf(signRelease(manifest({ version: "0.1.0" }), seed))).toBe("not_newer");
    expect(reasonOf(signRelease(manifest({ version: "0.0.9" }), seed))).toBe("not_newer");
    expect(reasonOf(signRelease(manifest({ version: "0.1.0-rc.1" }), seed))).toBe("not_newer");
    expect(reasonOf(signRelease(manifest({ version: "2.0.0", minFrom: "1.5.0" }), seed))).toBe("too_old");
    // An older release only when the Owner forces a rollback.
    expect(reasonOf(signRelease(manifest({ version: "0.0.9" }), seed), { ...ctx, allowDowngrade: true } as typeof ctx)).toBe("accepted");
    for (const bad of [
      null,
      "manifest",
      { manifest: manifest() },
      { ...signed, manifest: { ...signed.manifest, extra: 1 } },
      { ...signed, manifest: { ...signed.manifest, size: "90" } },
      { ...signed, manifest: { ...signed.manifest, size: 0 } },
      { ...signed, manifest: { ...signed.manifest, version: "latest" } },
      { ...signed, manifest: { ...signed.manifest, sha256: "XYZ" } },
      { ...signed, manifest: { ...signed.manifest, url: "file:///etc/passwd" } },
      { ...signed, manifest: { ...signed.manifest, notes: undefined } },
    ])
      expect(reasonOf(bad)).toBe("malformed");
  });
});

describe("the check", () => {
  let served: { status: number; body: string } = { status: 200, body: "" };
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(served.body, { status: served.status, headers: { "content-type": "application/json" } }) });
  const url = `http://127.0.0.1:${server.port}/pc2/manifest-stable.json`;
  const publish = (doc: unknown, status = 200) => (served = { status, body: typeof doc === "string" ? doc : JSON.stringify(doc) });
  const quiet = createLogger({ level: "error", format: "json", sink: { write() {} } });
  const service = (over: Partial<{ manifestUrl: string | null; publicKey: string | null }> = {}, install: "binary" | "source" = "binary") =>
    new UpdateService({ config: { manifestUrl: url, publicKey, channel: "stable", trialMs: 60_000, restart: "exit", ...over }, dataDir: scratch.path, log: quiet, running: "0.1.0", install });
  const scratch = makeTempDir();
  let node: TestNode;
  let owner: SignedIn;
  let member: SignedIn;
  beforeAll(async () => {
    node = await startTestNode({ env: { PC2_UPDATE_MANIFEST_URL: url, PC2_UPDATE_PUBLIC_KEY: publicKey } });
    owner = await claimOwner(httpFetcher(node.url), node.started.setup.code!);
    member = await addUser(httpFetcher(node.url), owner, "member");
  });
  afterAll(async () => {
    await node?.stop();
    server.stop(true);
    scratch.remove();
  });

  test("available, up to date, refused and failed, each said plainly", async () => {
    publish(signRelease(manifest(), seed));
    const s = service();
    expect(s.status()).toMatchObject({ state: "unchecked", current: "0.1.0", install: "binary" });
    expect(await s.check()).toMatchObject({
      state: "available",
      available: { version: "0.2.0", notes: "Faster uploads.", size: 90_000_000 },
      reason: null,
      summary: "PC2 0.2.0 is available. This binary is not installed as a service: install it with `pc2 service install` to update in place, or replace the binary by hand.",
    });
    publish(signRelease(manifest({ version: "0.1.0" }), seed));
    expect(await s.check()).toMatchObject({ state: "up-to-date", available: null });
    publish(signRelease(manifest(), randomBytes(32)));
    expect(await s.check()).toMatchObject({ state: "refused", available: null, reason: expect.stringContaining("not signed by the trusted publisher key") });
    publish(signRelease(manifest({ platform: "linux-riscv64" }), seed));
    expect((await s.check()).reason).toContain("is for linux-riscv64");
    publish("not json");
    expect(await s.check()).toMatchObject({ state: "failed", reason: "the manifest is not JSON" });
    publish("{}", 503);
    expect(await s.check()).toMatchObject({ state: "failed", reason: "the manifest URL answered HTTP 503" });
    publish("x".repeat(300 * 1024));
    expect((await s.check()).reason).toBe("the manifest is too large");
  });

  test("a source install is told how it updates; without a key or URL nothing is checked", async () => {
    publish(signRelease(manifest(), seed));
    expect((await service({}, "source").check()).summary).toContain("runs from source: update it with git pull and npm ci");
    const off = service({ publicKey: null });
    expect(await off.check()).toMatchObject({ state: "not-configured", checkedAt: null });
    expect(off.status().summary).toContain("trusts no release key");
  });

  test("the API: the Owner sees and checks; a Member may not", async () => {
    publish(signRelease(manifest(), seed));
    const f = httpFetcher(node.url);
    expect((await (await f("/api/update", { headers: owner.bearer })).json()).state).toBe("unchecked");
    const checked = await f("/api/update/check", { method: "POST", headers: { ...owner.bearer, "content-type": "application/json" }, body: "{}" });
    expect(await checked.json()).toMatchObject({ state: "available", available: { version: "0.2.0" } });
    expect((await (await f("/api/update", { headers: owner.bearer })).json()).state).toBe("available");
    expect((await f("/api/update", { headers: member.bearer })).status).toBe(403);
    expect((await f("/api/update/check", { method: "POST", headers: { ...member.bearer, "content-type": "application/json" }, body: "{}" })).status).toBe(403);
  });

  test("apply and rollback: the Owner's; a node run from source does neither, and says how it updates; a bad body is a 400", async () => {
    publish(signRelease(manifest(), seed));
    const f = httpFetcher(node.url);
    const post = (path: string, who: SignedIn, body: unknown = {}) => f(path, { method: "POST", headers: { ...who.bearer, "content-type": "application/json" }, body: JSON.stringify(body) });
    for (const path of ["/api/update/apply", "/api/update/rollback"]) {
      expect((await post(path, member)).status).toBe(403);
      const refused = await post(path, owner);
      expect([refused.status, (await refused.json()).code]).toEqual([409, "update_not_installed"]);
    }
    const bad = await post("/api/update/rollback", owner, { force: "yes" });
    expect([bad.status, (await bad.json()).code]).toEqual([400, "invalid_request"]);
    const s = await (await f("/api/update", { headers: owner.bearer })).json();
    expect(s).toMatchObject({ managed: false, previous: null, lastOutcome: null, apply: { step: "idle" } });
  });

  test("pc2 update check, alone: exit 0 when a release is offered, 3 when it is refused", async () => {
    const data = makeTempDir();
    try {
      const env = { PC2_DATA_DIR: data.path, PC2_UPDATE_MANIFEST_URL: url, PC2_UPDATE_PUBLIC_KEY: publicKey };
      publish(signRelease(manifest({ version: "99.0.0", minFrom: "0.0.0" }), seed));
      const ok = await runCli(["update", "check"], env);
      expect([ok.code, ok.stdout]).toEqual([0, expect.stringContaining("PC2 99.0.0 is available")]);
      expect(ok.stdout).toContain("update it with git pull and npm ci");
      expect(ok.stdout).toContain("Faster uploads.");
      publish(signRelease(manifest({ version: "99.0.0" }), randomBytes(32)));
      const refused = await runCli(["update", "check", "--json"], env);
      expect(refused.code).toBe(3);
      expect(JSON.parse(refused.stdout)).toMatchObject({ state: "refused" });
      const badUrl = await runCli(["update", "check"], { ...env, PC2_UPDATE_MANIFEST_URL: "http://releases.example/manifest.json" });
      expect([badUrl.code, badUrl.stderr]).toEqual([2, expect.stringContaining("https:// URL (http:// only on loopback)")]);
    } finally {
      data.remove();
    }
  });
});
