// `pc2 service`: the systemd unit a mini PC runs PC2 with, checked by Debian's own systemd-analyze,
// and the install into an image with the real systemctl (--root: no running systemd needed): the
// binary as releases/<version>/pc2 behind releases/current, the unit, its enablement; then status and
// uninstall. The unit names no path but the data dir and the config file, and refuses what it cannot
// write safely.
import { afterAll, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installRelease } from "../../server/service/service-commands.ts";
import { BUN, runCli } from "../helpers/spawned-node.ts";
import { makeTempDir } from "../helpers/temp-dir.ts";

const work = makeTempDir();
afterAll(() => work.remove());
const dataDir = join(work.path, "var-lib-pc2");
const configFile = join(work.path, "etc-pc2", "config.json");
mkdirSync(join(work.path, "etc-pc2"));
writeFileSync(configFile, JSON.stringify({ port: 8443 }));

const verify = (unitFile: string) => Bun.spawnSync(["systemd-analyze", "verify", "--recursive-errors=no", "--man=no", unitFile], { stdout: "pipe", stderr: "pipe" });

test("the unit: hardened, the data dir its only writable place, verified by systemd-analyze", async () => {
  const printed = await runCli(["service", "install", "--print"], { PC2_DATA_DIR: dataDir, PC2_CONFIG: configFile });
  expect([printed.code, printed.stderr]).toEqual([0, ""]);
  const unit = printed.stdout;
  for (const line of [
    "User=pc2",
    `ExecStart=${dataDir}/releases/current start`,
    `Environment=PC2_DATA_DIR=${dataDir}`,
    `Environment=PC2_CONFIG=${configFile}`,
    "Environment=PC2_PORT=8443",
    "Restart=on-failure",
    "ProtectSystem=strict",
    `ReadWritePaths=${dataDir}`,
    "ProtectHome=yes",
    "NoNewPrivileges=yes",
    "CapabilityBoundingSet=",
    "WantedBy=multi-user.target",
  ])
    expect(unit.split("\n")).toContain(line);
  // Every path it names is the data dir's or the config file.
  const paths = unit.match(/(?<=[=\s])\/[^\s]+/g) ?? [];
  expect(paths.length).toBeGreaterThan(3);
  expect(paths.filter((p) => !p.startsWith(`${dataDir}/`) && p !== dataDir && p !== configFile)).toEqual([]);

  // systemd's own check, with the binary where the unit expects it.
  mkdirSync(dataDir, { recursive: true });
  installRelease(dataDir, BUN, "0.1.0");
  const file = join(work.path, "pc2.service");
  writeFileSync(file, unit);
  const checked = verify(file);
  expect([checked.exitCode, checked.stderr.toString()]).toEqual([0, ""]);
  // The check can fail: a unit with a bad setting is refused.
  const bad = join(work.path, "bad", "pc2.service");
  mkdirSync(join(work.path, "bad"));
  writeFileSync(bad, unit.replace("ProtectSystem=strict", "ProtectSystem=sometimes"));
  expect(verify(bad).stderr.toString()).toContain("Failed to parse protect system value");
});

test("a port under 1024 gets the one capability to bind it, and nothing else", async () => {
  const printed = await runCli(["service", "install", "--print"], { PC2_DATA_DIR: dataDir, PC2_PORT: "443", PC2_HOST: "0.0.0.0" });
  expect(printed.stdout).toContain("AmbientCapabilities=CAP_NET_BIND_SERVICE\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n");
  expect(printed.stdout).toContain("Environment=PC2_HOST=0.0.0.0\n");
});

test("install into an image with the real systemctl; status; uninstall keeps the data", async () => {
  const image = join(work.path, "image");
  const installed = await runCli(["service", "install", `--root=${image}`, `--binary=${BUN}`], { PC2_DATA_DIR: dataDir });
  expect([installed.code, installed.stderr]).toEqual([0, ""]);
  expect(installed.stdout).toContain("enabled it in the image");
  const releases = join(image, dataDir, "releases");
  expect(readlinkSync(join(releases, "current"))).toBe("0.1.0/pc2");
  expect(readFileSync(join(releases, "0.1.0", "pc2")).equals(readFileSync(BUN))).toBe(true);
  expect(lstatSync(join(releases, "0.1.0", "pc2")).mode & 0o777).toBe(0o755);
  expect(readlinkSync(join(image, "etc/systemd/system/multi-user.target.wants/pc2.service"))).toBe("/etc/systemd/system/pc2.service");
  const status = await runCli(["service", "status", `--root=${image}`, "--json"], { PC2_DATA_DIR: dataDir });
  expect(JSON.parse(status.stdout)).toMatchObject({ installed: true, enabled: "enabled", unit: "/etc/systemd/system/pc2.service", dataDir });

  const removed = await runCli(["service", "uninstall", `--root=${image}`], { PC2_DATA_DIR: dataDir });
  expect([removed.code, removed.stdout]).toEqual([0, expect.stringContaining("are kept")]);
  expect(existsSync(join(image, "etc/systemd/system/pc2.service"))).toBe(false);
  expect(existsSync(join(image, "etc/systemd/system/multi-user.target.wants/pc2.service"))).toBe(false);
  expect(existsSync(join(releases, "0.1.0", "pc2"))).toBe(true);
  const gone = await runCli(["service", "status", `--root=${image}`], { PC2_DATA_DIR: dataDir });
  expect([gone.code, gone.stdout]).toEqual([3, expect.stringContaining("not installed")]);
  const again = await runCli(["service", "uninstall", `--root=${image}`], { PC2_DATA_DIR: dataDir });
  expect([again.code, again.stderr]).toEqual([1, expect.stringContaining("no pc2.service to remove")]);
});

test("refused: a data dir or user the unit cannot name safely; from source without a binary", async () => {
  const spaced = await runCli(["service", "install", "--print"], { PC2_DATA_DIR: join(work.path, "my data") });
  expect([spaced.code, spaced.stderr]).toEqual([1, expect.stringContaining("the data dir must be an absolute path")]);
  const user = await runCli(["service", "install", "--print", "--user=Root User"], { PC2_DATA_DIR: dataDir });
  expect(user.code).not.toBe(0);
  const fromSource = await runCli(["service", "install", `--root=${join(work.path, "img2")}`], { PC2_DATA_DIR: dataDir });
  expect([fromSource.code, fromSource.stderr]).toEqual([1, expect.stringContaining("the service runs the single binary")]);
});
