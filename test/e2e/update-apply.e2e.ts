// Settings › Updates with real releases: two builds of the single binary (scripts/release.ts, the
// same publisher key, 0.1.1-e2e and 0.1.2-e2e) on a loopback release server; 0.1.1-e2e installed as
// `pc2 service install` lays it out and run as its systemd unit would be (releases/current, started
// again when it exits with 75). The Owner updates from the desktop and watches it through the
// restart, then rolls back the same way.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Wallet } from "ethers";
import { installedNodeEnv } from "../helpers/installed-node-env.ts";
import { claimViaApi, expect, SETUP_CODE, signInThroughUi, test } from "./fixtures.ts";

const REPO = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const BUN = join(REPO, "node_modules", ".bin", "bun");
const V1 = "0.1.1-e2e";
const V2 = "0.1.2-e2e";
const owner = Wallet.createRandom() as unknown as Wallet;
const work = mkdtempSync(join(tmpdir(), "pc2-e2e-update-"));
const data = join(work, "data");
let server: Server;
let proc: ChildProcess | null = null;
let stopping = false;
let port = 0;
let log = "";

/** What the unit does: run releases/current; start it again after a failure or an exit with 75. */
function runService(): void {
  proc = spawn(join(data, "releases", "current"), ["start"], {
    env: {
      ...process.env,
      ...installedNodeEnv({
        dataDir: data,
        port,
        setupCode: SETUP_CODE,
        manifestUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/manifest-stable.json`,
        trialSeconds: 30,
      }),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.on("data", (d) => (log += d));
  proc.stderr!.on("data", (d) => (log += d));
  proc.on("exit", (code) => {
    if (!stopping && code !== 0) setTimeout(runService, 100);
  });
}

async function version(): Promise<string | null> {
  try {
    return ((await (await fetch(`http://127.0.0.1:${port}/api/info`)).json()) as { version: string }).version;
  } catch {
    return null;
  }
}

test.describe
  .serial("updating from the desktop", () => {
    test.beforeAll(async () => {
      test.setTimeout(180_000);
      let manifest = "";
      server = createServer((req, res) => {
        if (req.url === "/manifest-stable.json") return void res.writeHead(200, { "content-type": "application/json" }).end(manifest);
        const file = join(work, "out", (req.url ?? "").slice(1));
        res.writeHead(200, { "content-length": String(statSync(file).size) });
        createReadStream(file).pipe(res);
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
      const key = join(work, "release.key");
      writeFileSync(key, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
      for (const v of [V1, V2]) {
        const built = spawnSync(BUN, ["scripts/release.ts", "--key", key, "--version", v, "--base-url", base, "--out", join(work, "out"), "--notes-file", "/dev/null"], {
          cwd: REPO,
          encoding: "utf8",
        });
        if (built.status !== 0) throw new Error(`building ${v} failed: ${built.stderr}`);
      }
      manifest = readFileSync(join(work, "out", "manifest-stable.json"), "utf8"); // the last built: 0.1.2-e2e
      // Installed as `pc2 service install` does: releases/<version>/pc2 behind releases/current.
      mkdirSync(join(data, "releases", V1), { recursive: true, mode: 0o700 });
      chmodSync(data, 0o700);
      copyFileSync(join(work, "out", `pc2-${V1}-${process.platform}-${process.arch}`), join(data, "releases", V1, "pc2"));
      chmodSync(join(data, "releases", V1, "pc2"), 0o755);
      symlinkSync(join(V1, "pc2"), join(data, "releases", "current"));
      const probe = createServer();
      await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
      port = (probe.address() as { port: number }).port;
      await new Promise((r) => probe.close(r));
      runService();
      await expect.poll(version, { timeout: 30_000 }).toBe(V1);
      const token = await claimViaApi(`http://127.0.0.1:${port}`, owner);
      mkdirSync(join(work, "backups"));
      const backup = await fetch(`http://127.0.0.1:${port}/api/backup/run`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ folder: join(work, "backups") }),
      });
      expect(backup.status).toBe(200);
    });
    // On a failure, what the node and its trials wrote (the service manager's journal, here).
    test.afterEach(async ({}, info) => {
      if (info.status !== info.expectedStatus) await info.attach("node-log.txt", { body: log.slice(-20_000), contentType: "text/plain" });
    });
    test.afterAll(async () => {
      stopping = true;
      if (proc && proc.exitCode === null) {
        proc.kill("SIGTERM");
        await new Promise((r) => proc!.once("exit", r));
      }
      server?.close();
      rmSync(work, { recursive: true, force: true });
    });

    test("the Owner updates to the published release and follows it through the restart, then rolls back", async ({ page }, info) => {
      test.setTimeout(180_000);
      page.on("dialog", (d) => void d.accept());
      await signInThroughUi(page, `http://127.0.0.1:${port}`, owner);
      await page.getByRole("button", { name: "Open Settings" }).click();
      const settings = page.locator("pc2-settings-app");
      await settings.getByRole("tab", { name: "Updates" }).click();
      const updates = settings.locator("pc2-update-settings");
      await expect(updates).toContainText(`Running PC2 ${V1} (the single binary, stable channel`);
      await updates.getByRole("button", { name: "Check now" }).click();
      await expect(updates.getByTestId("update-summary")).toHaveText(`PC2 ${V2} is available (running ${V1}).`);

      await updates.getByRole("button", { name: `Update to ${V2}` }).click();
      await expect(updates.getByTestId("update-progress")).toBeVisible();
      await expect(updates.getByTestId("update-outcome")).toContainText(`Updated from ${V1} to ${V2}`, { timeout: 120_000 });
      await expect(updates).toContainText(`Running PC2 ${V2}`);
      await expect(updates.getByRole("alert")).toHaveCount(0);
      expect(await version()).toBe(V2);
      await page.screenshot({ path: info.outputPath("updated.png") });

      await updates.getByRole("button", { name: `Roll back to ${V1}` }).click();
      await expect(updates.getByTestId("update-outcome")).toContainText(`Rolled back from ${V2} to ${V1}`, { timeout: 120_000 });
      await expect(updates).toContainText(`Running PC2 ${V1}`);
      expect(await version()).toBe(V1);
    });
  });
