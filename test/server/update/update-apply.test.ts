// Updates end to end with real releases, built and signed by scripts/release.ts and served from a
// release server on loopback: 0.1.1-test is installed the way `pc2 service install` does it, and a
// stand-in for systemd runs releases/current as the unit says (Restart=on-failure, restart on 75).
// The happy path keeps data, users and Node ID; the refusals change nothing; three broken releases
// (exits at start, never healthy after migrating, a migration that fails) are rolled back to
// 0.1.1-test with the database as it was and the reason for the Owner; a kill during the download,
// the backup and the trial always leaves exactly one complete version running.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { installRelease } from "../../../server/service/service-commands.ts";
import { currentLink, linkedVersion, previousLink } from "../../../server/update/install-layout.ts";
import { readPending } from "../../../server/update/pending-update.ts";
import type { SignedRelease } from "../../../server/update/release-manifest.ts";
import { filesClient } from "../../helpers/files-client.ts";
import { installedNodeEnv } from "../../helpers/installed-node-env.ts";
import { type BuiltRelease, buildRelease, patchFile } from "../../helpers/release-builds.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { claimOwner, httpFetcher, json, type SignedIn } from "../../helpers/wallet-auth.ts";

const V1 = "0.1.1-test";
const V2 = "0.1.2-test";
const SETUP = "update-test-setup-code";
const work = makeTempDir("pc2-update-");
const keyFile = join(work.path, "release.key");
const releases = new Map<string, BuiltRelease>();

// ---- the release server: the published manifest, and binaries with ranges (cut off or slowed on request)
let published: unknown = null;
let cutNextDownload = false;
let slowDownloads = false;
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  idleTimeout: 60,
  fetch(req) {
    const path = new URL(req.url).pathname.slice(1);
    if (path === "manifest-stable.json") return Response.json(published);
    const r = [...releases.values()].find((b) => b.binaryFile.endsWith(`/${path}`));
    if (!r) return new Response("not found", { status: 404 });
    const size = statSync(r.binaryFile).size;
    const m = /^bytes=(\d+)-$/.exec(req.headers.get("range") ?? "");
    const from = m ? Number(m[1]) : 0;
    const headers: Record<string, string> = { "content-length": String(size - from), ...(m ? { "content-range": `bytes ${from}-${size - 1}/${size}` } : {}) };
    const cut = cutNextDownload ? from + Math.floor((size - from) / 2) : size;
    cutNextDownload = false;
    const slow = slowDownloads;
    const file = Bun.file(r.binaryFile);
    let at = from;
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (at >= cut) return c.close(); // short of content-length when cut: the client sees a cut connection
        const end = Math.min(cut, at + 4 * 1024 * 1024);
        c.enqueue(new Uint8Array(await file.slice(at, end).arrayBuffer()));
        at = end;
        if (slow) await Bun.sleep(200);
      },
    });
    return new Response(body, { status: m ? 206 : 200, headers });
  },
});
const baseUrl = `http://127.0.0.1:${server.port}/`;
const publish = (version: string, change: (s: SignedRelease) => SignedRelease = (s) => s) => (published = change(structuredClone(releases.get(version)!.signed)));

// ---- a stand-in for systemd running the unit: releases/current start; again on a failure or on 75
class Service {
  private proc: Subprocess<"ignore", "pipe", "pipe"> | null = null;
  private stopping = false;
  private starts = 0;
  log = "";
  constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}
  start(): void {
    this.starts++;
    const proc = Bun.spawn([currentLink(this.dataDir), "start"], { env: this.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    this.proc = proc;
    for (const stream of [proc.stdout, proc.stderr]) void new Response(stream).text().then((t) => (this.log += t));
    void proc.exited.then((code) => {
      this.log += `\n[service manager] exit ${code ?? proc.signalCode}\n`;
      if (!this.stopping && code !== 0 && this.starts < 20) setTimeout(() => this.start(), 100);
    });
  }
  kill(signal: NodeJS.Signals): void {
    this.proc?.kill(signal);
  }
  async stop(): Promise<void> {
    this.stopping = true;
    this.proc?.kill("SIGTERM");
    await this.proc?.exited;
  }
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}

async function freePort(): Promise<number> {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms: number, log = () => ""): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${log().slice(-4000)}`);
    await Bun.sleep(100);
  }
}

const info = async (svc: Service) => (await fetch(`${svc.url}/api/info`, { signal: AbortSignal.timeout(2000) })).json() as Promise<{ version: string; nodeId: string }>;
const runningVersion = (svc: Service, version: string, ms = 60_000) =>
  until(
    `PC2 ${version}`,
    async () => (await info(svc)).version === version && info(svc),
    ms,
    () => svc.log,
  );

/** A node installed at 0.1.1-test, running under the stand-in, claimed, with a file and (unless not) a backup destination. */
async function installedNode(o: { backup?: boolean } = {}): Promise<{ svc: Service; owner: SignedIn; nodeId: string; backups: string }> {
  const data = join(work.path, `node-${randomBytes(4).toString("hex")}`);
  mkdirSync(data, { recursive: true, mode: 0o700 });
  installRelease(data, releases.get(V1)!.binaryFile, V1);
  const port = await freePort();
  const svc = new Service(data, port, installedNodeEnv({ dataDir: data, port, setupCode: SETUP, manifestUrl: `${baseUrl}manifest-stable.json`, trialSeconds: 6 }));
  svc.start();
  const { nodeId } = await runningVersion(svc, V1, 30_000);
  const owner = await claimOwner(httpFetcher(svc.url), SETUP);
  const fs = filesClient(httpFetcher(svc.url), owner);
  expect((await fs.write("~/Documents", "kept.txt", "kept across updates\n")).status).toBe(200);
  const backups = join(work.path, `backups-${randomBytes(4).toString("hex")}`);
  mkdirSync(backups);
  if (o.backup !== false) expect((await httpFetcher(svc.url)("/api/backup/run", json({ folder: backups }, owner.bearer))).status).toBe(200);
  return { svc, owner, nodeId, backups };
}

const status = async (svc: Service, owner: SignedIn) => (await httpFetcher(svc.url)("/api/update", { headers: owner.bearer })).json();
const apply = (svc: Service, owner: SignedIn) => httpFetcher(svc.url)("/api/update/apply", json({}, owner.bearer));
const applyFails = (svc: Service, owner: SignedIn) =>
  until(
    "the update to fail",
    async () => {
      const s = await status(svc, owner);
      return s.apply.step === "failed" && s.apply.error;
    },
    60_000,
    () => svc.log,
  );

/** The node is as it was: same Node ID, the Owner's session still good, the file intact, nothing pending. */
async function expectSameNode(n: { svc: Service; owner: SignedIn; nodeId: string }, version: string): Promise<void> {
  // Settled (a trial also answers with its version, before it is switched to).
  await until(
    `settled on ${version}`,
    async () => readPending(n.svc.dataDir) === null && linkedVersion(currentLink(n.svc.dataDir)) === version,
    60_000,
    () => n.svc.log,
  );
  const now = await runningVersion(n.svc, version);
  expect(now.nodeId).toBe(n.nodeId);
  const file = await filesClient(httpFetcher(n.svc.url), n.owner).read("~/Documents/kept.txt");
  expect([file.status, new TextDecoder().decode(file.bytes)]).toEqual([200, "kept across updates\n"]);
  expect(linkedVersion(currentLink(n.svc.dataDir))).toBe(version);
  expect(readPending(n.svc.dataDir)).toBeNull();
}

const cli = (svc: Service, ...args: string[]) => {
  const proc = Bun.spawn([currentLink(svc.dataDir), ...args], { env: { PATH: process.env.PATH!, PC2_DATA_DIR: svc.dataDir }, stdout: "pipe", stderr: "pipe" });
  return Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
};

beforeAll(async () => {
  writeFileSync(keyFile, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
  const build = (version: string, patch?: (root: string) => void) => buildRelease({ keyFile, version, baseUrl, out: join(work.path, "out", version), patch }).then((r) => releases.set(version, r));
  await build(V1);
  await build(V2);
  await build("0.1.2-exits", (root) =>
    patchFile(
      root,
      "server/cli.ts",
      "async function start(options: NodeOptions): Promise<number> {",
      'async function start(options: NodeOptions): Promise<number> {\n  throw new Error("this release cannot start");',
    ),
  );
  // Migrates the database (a new table), then never listens.
  await build("0.1.2-hangs", (root) => {
    writeFileSync(join(root, "server/db/migrations/0099-trial.sql"), "CREATE TABLE trial_only (x INTEGER);\n");
    patchFile(root, "server/db/migrations/index.ts", "export interface Migration", 'import trial0099 from "./0099-trial.sql" with { type: "text" };\nexport interface Migration');
    patchFile(root, "server/db/migrations/index.ts", "];", '  { version: 99, name: "trial", sql: trial0099 },\n];');
    patchFile(root, "server/cli.ts", "  const started = await node.start();", "  await new Promise(() => setInterval(() => {}, 1 << 30));\n  const started = await node.start();");
  });
  await build("0.1.2-badmigration", (root) => {
    writeFileSync(join(root, "server/db/migrations/0099-broken.sql"), "CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n");
    patchFile(root, "server/db/migrations/index.ts", "export interface Migration", 'import broken0099 from "./0099-broken.sql" with { type: "text" };\nexport interface Migration');
    patchFile(root, "server/db/migrations/index.ts", "];", '  { version: 99, name: "broken", sql: broken0099 },\n];');
  });
}, 300_000);

const services: Service[] = [];
afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  server.stop(true);
  work.remove();
});

describe("applying an update", () => {
  test("refused without a backup destination, a good signature or a whole download; then check → apply → 0.1.2 with the same data, users and Node ID; then rolled back by hand", async () => {
    const n = await installedNode({ backup: false });
    services.push(n.svc);
    const f = httpFetcher(n.svc.url);
    publish(V2);
    // No backup destination: nothing is done.
    const noBackup = await apply(n.svc, n.owner);
    expect([noBackup.status, (await noBackup.json()).code]).toEqual([409, "update_no_backup"]);
    expect((await f("/api/backup/run", json({ folder: n.backups }, n.owner.bearer))).status).toBe(200);
    // A manifest not signed by the key built in.
    publish(V2, (s) => ({ ...s, manifest: { ...s.manifest, notes: "tampered" } }));
    const unsigned = await apply(n.svc, n.owner);
    expect([unsigned.status, (await unsigned.json()).message]).toEqual([409, "No release to install: the release is not signed by the trusted publisher key"]);
    publish(V2);
    // The backup fails (its folder became a file): no update.
    rmSync(n.backups, { recursive: true });
    writeFileSync(n.backups, "not a folder");
    expect((await apply(n.svc, n.owner)).status).toBe(202);
    expect(await applyFails(n.svc, n.owner)).toStartWith("the backup before the update failed, so nothing was changed: ");
    expect((await info(n.svc)).version).toBe(V1);
    rmSync(n.backups);
    mkdirSync(n.backups);
    // Cut off half-way: refused for now; the next apply resumes from the bytes on disk and goes ahead.
    rmSync(join(n.svc.dataDir, "releases", V2), { recursive: true, force: true });
    cutNextDownload = true;
    expect((await apply(n.svc, n.owner)).status).toBe(202);
    expect(await applyFails(n.svc, n.owner)).toBeTruthy();
    const part = join(n.svc.dataDir, "updates", `${V2}-${releases.get(V2)!.manifest.platform}.part`);
    const kept = statSync(part).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(releases.get(V2)!.manifest.size);
    expect((await info(n.svc)).version).toBe(V1);

    const backupBefore = (await (await f("/api/backup", { headers: n.owner.bearer })).json()).last.at;
    const accepted = await apply(n.svc, n.owner);
    expect(accepted.status).toBe(202);
    expect((await accepted.json()).apply).toMatchObject({ step: "downloading", kind: "update", version: V2 });
    await expectSameNode(n, V2);
    const after = await status(n.svc, n.owner);
    expect(after).toMatchObject({ current: V2, managed: true, previous: V1, lastOutcome: { kind: "update", from: V1, to: V2, result: "switched", reason: null } });
    expect(linkedVersion(previousLink(n.svc.dataDir))).toBe(V1);
    expect(existsSync(join(n.svc.dataDir, "updates", `pre-update-${V1}.db`))).toBe(true);
    // Backed up first: a new set at the destination, taken before the restart.
    const backup = (await (await f("/api/backup", { headers: n.owner.bearer })).json()).last;
    expect(backup.ok).toBe(true);
    expect(Date.parse(backup.at)).toBeGreaterThan(Date.parse(backupBefore));
    const audit = (await (await f("/api/audit?limit=50", { headers: n.owner.bearer })).json()).entries.map((e: { action: string }) => e.action);
    expect(audit).toContain("update.apply");
    expect(audit).toContain("update.result");

    // Back by hand, with the CLI: the schema did not change, so no database is put back.
    const [code, out, err] = await cli(n.svc, "update", "rollback");
    expect([code, err]).toEqual([0, ""]);
    expect(out).toContain(`Rolling back PC2 ${V2} to ${V1}.`);
    expect(out).toContain(`rolled back from ${V2} to ${V1}`);
    await expectSameNode(n, V1);
    expect(linkedVersion(previousLink(n.svc.dataDir))).toBeNull();
  }, 240_000);

  test("a hash mismatch is found after the download and nothing changes", async () => {
    const n = await installedNode();
    services.push(n.svc);
    // Signed by the publisher, but naming another binary's hash: the bytes served do not match it.
    const { signRelease } = await import("../../../server/update/release-manifest.ts");
    const seed = new Uint8Array(Buffer.from(readFileSync(keyFile, "utf8").trim(), "hex"));
    published = signRelease({ ...releases.get(V2)!.manifest, sha256: releases.get("0.1.2-exits")!.manifest.sha256 }, seed);
    expect((await apply(n.svc, n.owner)).status).toBe(202);
    expect(await applyFails(n.svc, n.owner)).toBe("the downloaded binary does not have the manifest's SHA-256; it was deleted");
    expect(existsSync(join(n.svc.dataDir, "releases", V2))).toBe(false);
    await expectSameNode(n, V1);
  }, 120_000);
});

describe("automatic rollback", () => {
  test("a release that exits at start, one that migrates and never becomes healthy, and one whose migration fails: each back on 0.1.1 with the data as it was and the reason", async () => {
    const n = await installedNode();
    services.push(n.svc);
    const cases: [string, RegExp][] = [
      ["0.1.2-exits", /^PC2 0\.1\.2-exits stopped at start \(exit code 1\): pc2: this release cannot start$/],
      ["0.1.2-hangs", /^PC2 0\.1\.2-hangs did not become healthy within 6 s$/],
      ["0.1.2-badmigration", /^PC2 0\.1\.2-badmigration stopped at start \(exit code 1\): pc2: the database migration to schema version 99 \(broken\) failed: no such table: no_such_table$/],
    ];
    for (const [version, reason] of cases) {
      publish(version);
      const [code, out, err] = await cli(n.svc, "update", "apply");
      expect([code, err]).toEqual([3, ""]);
      expect(out).toContain(`Updating PC2 ${V1} to ${version}.`);
      expect(out).toContain(`the update to ${version} failed and was rolled back to ${V1}`);
      await expectSameNode(n, V1);
      const s = await status(n.svc, n.owner);
      expect(s.lastOutcome).toMatchObject({ kind: "update", from: V1, to: version, result: "reverted" });
      expect(s.lastOutcome.reason).toMatch(reason);
      expect(existsSync(join(n.svc.dataDir, "releases", version))).toBe(false);
    }
    // 0.1.1 started on the database 0.1.2-hangs had migrated: only because it was put back.
    const health = await (await httpFetcher(n.svc.url)("/health", { headers: n.owner.bearer })).json();
    expect(health.status).toBe("ok");
  }, 300_000);
});

describe("a kill at every step of an update", () => {
  test("during the download, the backup and the trial: the node starts again on exactly one complete version", async () => {
    const n = await installedNode();
    services.push(n.svc);
    publish(V2);
    const killDuring = async (step: string) => {
      expect((await apply(n.svc, n.owner)).status).toBe(202);
      await until(
        step,
        async () => (await status(n.svc, n.owner)).apply.step === step,
        60_000,
        () => n.svc.log,
      );
      n.svc.kill("SIGKILL");
    };
    // The download (slowed down): killed, restarted by the service manager on 0.1.1.
    slowDownloads = true;
    await killDuring("downloading");
    slowDownloads = false;
    await Bun.sleep(500);
    await expectSameNode(n, V1);
    // The backup (a larger file makes it last): killed, back on 0.1.1.
    const big = new Uint8Array(48 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 65536) big.set(randomBytes(65536), i);
    expect((await filesClient(httpFetcher(n.svc.url), n.owner).write("~/Documents", "big.bin", big)).status).toBe(200);
    await killDuring("backing-up");
    await Bun.sleep(500);
    await expectSameNode(n, V1);
    // The trial: the version that staged it is killed while 0.1.2 starts; the next start tries again and switches.
    expect((await apply(n.svc, n.owner)).status).toBe(202);
    await until(
      "the trial",
      async () => readPending(n.svc.dataDir)?.attempts === 1,
      60_000,
      () => n.svc.log,
    );
    n.svc.kill("SIGKILL");
    await expectSameNode(n, V2);
    expect((await status(n.svc, n.owner)).lastOutcome).toMatchObject({ result: "switched", to: V2 });
  }, 300_000);
});
