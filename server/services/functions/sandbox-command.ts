// The command that starts a function's process inside its sandbox: bubblewrap (Debian's
// `bubblewrap`) with every namespace unshared — no network (outbound fetch goes through the node's
// egress socket), its own PIDs, a root file system holding only the runtime, the shared libraries
// it links, the deployment (read-only) and a folder for its two sockets — under a zero file-size
// limit (it can write no file) at a low CPU priority. Bun's own globals cannot be removed from a
// JavaScript realm (`Bun` is not deletable), so the boundary has to be the operating system's:
// without bubblewrap, functions do not run at all.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { COMPILED } from "../../build-constants.ts";
import { lowPriority } from "../../low-priority.ts";

const BWRAP_PATHS = ["/usr/bin/bwrap", "/bin/bwrap"];
const PRLIMIT = "/usr/bin/prlimit";
const HOST_SOURCE = join(import.meta.dir, "..", "..", "..", "workers");

export interface SandboxPaths {
  /** The deployment's folder (bundle.js), mounted read-only at /fn. */
  deployment: string;
  /** A private folder for the HTTP and egress sockets, mounted at /run. */
  run: string;
}

/** Inside the sandbox. */
export const SANDBOX_BUNDLE = "/fn/bundle.js";
export const SANDBOX_SOCKET = "/run/http.sock";
export const SANDBOX_EGRESS = "/run/egress.sock";

export function bwrapPath(): string | null {
  return BWRAP_PATHS.find((p) => existsSync(p)) ?? null;
}

/** The runtime's shared libraries (ldd), each bound where the loader looks for it. */
function sharedLibraries(executable: string): string[] {
  const ldd = Bun.spawnSync(["ldd", executable], { stdout: "pipe", stderr: "ignore" });
  const found = new Set<string>();
  if (ldd.exitCode === 0)
    for (const line of new TextDecoder().decode(ldd.stdout).split("\n")) {
      const path = /=>\s*(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(line)?.[1];
      if (path) found.add(path);
    }
  // Without ldd (or for a static runtime): the usual library folders, read-only.
  return found.size ? [...found] : ["/lib", "/lib64", "/usr/lib"].filter((p) => existsSync(p));
}

let libraries: string[] | null = null;

export function sandboxCommand(bwrap: string, paths: SandboxPaths): string[] {
  libraries ??= sharedLibraries(process.execPath);
  const binds = libraries.flatMap((lib) => ["--ro-bind", lib, lib]);
  // From source the host is workers/function-host.ts run by bun; the binary runs it itself.
  const host = COMPILED ? [] : ["--ro-bind", HOST_SOURCE, "/host"];
  const args = COMPILED ? ["/bun"] : ["/bun", "/host/function-host.ts"];
  return [
    ...lowPriority(10),
    ...(existsSync(PRLIMIT) ? [PRLIMIT, "--fsize=0", "--core=0", "--"] : []),
    bwrap,
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--clearenv",
    "--setenv",
    "PC2_FN_CHILD",
    "1",
    ...binds,
    "--ro-bind",
    process.execPath,
    "/bun",
    ...host,
    "--ro-bind",
    paths.deployment,
    "/fn",
    "--bind",
    paths.run,
    "/run",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    "--chdir",
    "/fn",
    ...args,
  ];
}

/**
 * Whether functions can run here: bubblewrap is installed and can make the namespaces (user
 * namespaces may be off, or the service's unit may forbid them). Asked once, at start.
 */
export async function probeSandbox(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const bwrap = bwrapPath();
  if (!bwrap) return { ok: false, reason: "bubblewrap is not installed (Debian: apt install bubblewrap)" };
  libraries ??= sharedLibraries(process.execPath);
  const proc = Bun.spawn(
    [
      bwrap,
      "--unshare-all",
      "--die-with-parent",
      "--clearenv",
      "--setenv",
      "BUN_BE_BUN",
      "1",
      ...libraries.flatMap((l) => ["--ro-bind", l, l]),
      "--ro-bind",
      process.execPath,
      "/bun",
      "--dev",
      "/dev",
      "--proc",
      "/proc",
      "/bun",
      "--version",
    ],
    { stdout: "ignore", stderr: "pipe" },
  );
  const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
  const code = await proc.exited;
  clearTimeout(timer);
  if (code === 0) return { ok: true };
  const why = (await new Response(proc.stderr).text()).trim().split("\n")[0] ?? `exit ${code}`;
  return { ok: false, reason: `bubblewrap could not start a sandbox: ${why}` };
}
