// `pc2 service install | uninstall | status`: PC2 as a systemd service on a mini PC. Install makes a
// system user, gives it the data dir, copies the single binary in as releases/<version>/pc2 with
// releases/current pointing at it, writes the unit, and enables and starts it. `--root=DIR` does the
// same into an image (systemctl --root; no user is made, nothing is started); `--print` only shows
// the unit. Uninstall stops and removes the service and keeps the data and the user.
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Config } from "../config.ts";
import { writeFileAtomic } from "../fs/atomic-write.ts";
import { durable } from "../fs/durable-steps.ts";
import { currentLink, pointLink } from "../update/install-layout.ts";
import { VERSION } from "../services/system/system.service.ts";
import { systemdUnit, UNIT_NAME } from "./systemd-unit.ts";

export interface ServiceOptions {
  config: Config;
  /** The config file in use (PC2_CONFIG), if any. */
  configFile: string | null;
  user: string;
  /** The executable to install: the running binary when it is the compiled one. */
  binary: string | null;
  /** Install into an image rooted here instead of this machine. */
  root: string | null;
  print: boolean;
}

export class ServiceError extends Error {}

function run(command: string[], what: string): string {
  const r = Bun.spawnSync(command, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new ServiceError(`${what} failed (${command.join(" ")}): ${r.stderr.toString().trim() || `exit ${r.exitCode}`}`);
  return r.stdout.toString();
}

function unitText(o: ServiceOptions): string {
  return systemdUnit({
    dataDir: o.config.dataDir,
    user: o.user,
    host: o.config.host,
    port: o.config.port,
    otherPorts: o.config.tls.redirectPort ? [o.config.tls.redirectPort] : [],
    configFile: o.configFile,
  });
}

/** The uid and gid of `user`, made as a system user (home: the data dir, no login) when missing. */
function systemUser(user: string, home: string): { uid: number; gid: number } {
  const known = Bun.spawnSync(["id", "-u", user], { stdout: "pipe", stderr: "ignore" });
  if (known.exitCode !== 0) run(["useradd", "--system", "--user-group", "--home-dir", home, "--no-create-home", "--shell", "/usr/sbin/nologin", user], "creating the service user");
  return { uid: Number(run(["id", "-u", user], "looking up the service user").trim()), gid: Number(run(["id", "-g", user], "looking up the service user").trim()) };
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (!statSync(path).isDirectory()) return;
  for (const name of readdirSync(path)) {
    const full = join(path, name);
    const s = statSync(full, { throwIfNoEntry: false });
    if (s) chownTree(full, uid, gid);
  }
}

/** Copy `binary` in as releases/<version>/pc2 and point releases/current at it (a link swapped by rename). */
export function installRelease(dataDir: string, binary: string, version: string): string {
  const dir = join(dataDir, "releases", version);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const target = join(dir, "pc2");
  const tmp = `${target}.tmp`;
  copyFileSync(binary, tmp);
  chmodSync(tmp, 0o755);
  const fd = openSync(tmp, "r");
  durable.syncFd(fd, tmp);
  durable.closeFd(fd, tmp);
  durable.rename(tmp, target);
  durable.fsyncDir(dir);
  pointLink(currentLink(dataDir), dataDir, version);
  return target;
}

export function serviceInstall(o: ServiceOptions): string[] {
  const unit = unitText(o);
  if (o.print) return [unit];
  const root = o.root ?? "";
  if (!root && process.getuid?.() !== 0) throw new ServiceError("installing a service needs root: run it with sudo");
  if (!o.binary) throw new ServiceError("the service runs the single binary (dist/pc2): run `pc2 service install` with that binary, or name it with --binary=PATH");
  const dataDir = join(root || "/", o.config.dataDir);
  const done: string[] = [];
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const installed = installRelease(dataDir, o.binary, VERSION);
  done.push(`installed ${o.binary} as ${installed.slice(root.length)}`);
  if (!root) {
    const { uid, gid } = systemUser(o.user, o.config.dataDir);
    chownTree(o.config.dataDir, uid, gid);
    chmodSync(o.config.dataDir, 0o700);
    done.push(`the data dir ${o.config.dataDir} belongs to the system user ${o.user}`);
  } else done.push(`(an image: make the system user ${o.user} there and give it ${o.config.dataDir})`);
  const unitPath = join(root || "/", "etc/systemd/system", UNIT_NAME);
  mkdirSync(dirname(unitPath), { recursive: true });
  writeFileAtomic(unitPath, unit, 0o644);
  done.push(`wrote ${unitPath.slice(root.length)}`);
  if (root) {
    run(["systemctl", `--root=${root}`, "enable", UNIT_NAME], "enabling the service");
    done.push("enabled it in the image: it starts at the image's next boot");
  } else {
    run(["systemctl", "daemon-reload"], "reloading systemd");
    run(["systemctl", "enable", "--now", UNIT_NAME], "enabling and starting the service");
    done.push(`enabled and started it: it starts at every boot (\`pc2 service status\`, \`journalctl -u ${UNIT_NAME}\`)`);
  }
  return done;
}

export function serviceUninstall(o: ServiceOptions): string[] {
  const root = o.root ?? "";
  if (!root && process.getuid?.() !== 0) throw new ServiceError("removing a service needs root: run it with sudo");
  const unitPath = join(root || "/", "etc/systemd/system", UNIT_NAME);
  if (!existsSync(unitPath)) throw new ServiceError(`there is no ${UNIT_NAME} to remove`);
  if (root) run(["systemctl", `--root=${root}`, "disable", UNIT_NAME], "disabling the service");
  else run(["systemctl", "disable", "--now", UNIT_NAME], "stopping and disabling the service");
  rmSync(unitPath, { force: true });
  if (!root) run(["systemctl", "daemon-reload"], "reloading systemd");
  return [`stopped and removed ${UNIT_NAME}; the data dir ${o.config.dataDir} and the user ${o.user} are kept`];
}

export function serviceStatus(o: ServiceOptions): { installed: boolean; enabled: string; active: string; unit: string; dataDir: string; url: string } {
  const root = o.root ?? "";
  const unit = join(root || "/", "etc/systemd/system", UNIT_NAME);
  const ask = (args: string[]) =>
    Bun.spawnSync(["systemctl", ...(root ? [`--root=${root}`] : []), ...args, UNIT_NAME], { stdout: "pipe", stderr: "ignore" })
      .stdout.toString()
      .trim() || "unknown";
  return {
    installed: existsSync(unit),
    enabled: ask(["is-enabled"]),
    active: root ? "not running (an image)" : ask(["is-active"]),
    unit: unit.slice(root.length),
    dataDir: o.config.dataDir,
    url: `${o.config.tls.mode === "off" ? "http" : "https"}://${o.config.host === "0.0.0.0" || o.config.host === "::" ? "localhost" : o.config.host}:${o.config.port}`,
  };
}
