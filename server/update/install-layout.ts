// Where an installed PC2 keeps its releases: <data>/releases/<version>/pc2, with two links beside
// them — `current` (what the service starts) and `previous` (what `pc2 update rollback` goes back
// to). A link is swapped by writing a new one beside it and renaming it over the old: a reader (or a
// power cut) sees the old target or the new one, never neither.
import { existsSync, readlinkSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import { durable } from "../fs/durable-steps.ts";

export const releasesDir = (dataDir: string) => join(dataDir, "releases");
export const releaseBinary = (dataDir: string, version: string) => join(dataDir, "releases", version, "pc2");
export const currentLink = (dataDir: string) => join(dataDir, "releases", "current");
export const previousLink = (dataDir: string) => join(dataDir, "releases", "previous");

/** Point `link` at releases/<version>/pc2 (relative, so the data dir can move), atomically and durably. */
export function pointLink(link: string, dataDir: string, version: string): void {
  const tmp = `${link}.tmp`;
  rmSync(tmp, { force: true });
  symlinkSync(relative(dirname(link), releaseBinary(dataDir, version)), tmp);
  durable.rename(tmp, link);
  durable.fsyncDir(dirname(link));
}

/** The version a link points at (releases/<version>/pc2), or null when it is missing or points elsewhere. */
export function linkedVersion(link: string): string | null {
  try {
    const target = readlinkSync(link);
    return basename(target) === "pc2" ? basename(dirname(target)) : null;
  } catch {
    return null;
  }
}

/**
 * The version of the release this process runs as, when it runs from the data dir's releases (the
 * way `pc2 service install` sets it up) — the only kind of install that updates itself. Null for a
 * binary run from anywhere else, or from source.
 */
export function installedRelease(dataDir: string, execPath: string): string | null {
  try {
    const exe = realpathSync(execPath);
    const root = realpathSync(releasesDir(dataDir));
    const rel = relative(root, exe).split(sep);
    return rel.length === 2 && rel[1] === "pc2" && rel[0] !== ".." && existsSync(exe) ? rel[0]! : null;
  } catch {
    return null;
  }
}
