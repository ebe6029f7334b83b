// A node nobody uses is one process: no WASM sandbox (or function) process starts before a run
// needs it, and the first run starts exactly one.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { makeTempDir } from "../helpers/temp-dir.ts";
import { spawnNode } from "../helpers/spawned-node.ts";
import { claimOwner, httpFetcher, json } from "../helpers/wallet-auth.ts";

/** The command lines of `pid`'s child processes (from /proc). */
function children(pid: number): string[] {
  const out: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").trim());
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

test("an idle node has no child process; the first WASM run starts one sandbox, and only one", async () => {
  const dir = makeTempDir();
  const n = await spawnNode({ PC2_DATA_DIR: dir.path, PC2_SETUP_CODE: "idle-node-test-code" });
  try {
    // Longer than the old warm-up delay (1 s): nothing was merely late.
    await Bun.sleep(2000);
    expect(children(n.proc.pid)).toEqual([]);
    const f = httpFetcher(n.url);
    const owner = await claimOwner(f, "idle-node-test-code");
    const res = await f("/api/wasm/execute", json({ app: "calc", args: ["6*7"] }, owner.bearer));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: { stdout: string } }).result.stdout).toBe("42\n");
    const started = children(n.proc.pid);
    expect(started).toHaveLength(1);
    expect(started[0]).toContain("wasi-runner");
  } finally {
    await n.stop();
    dir.remove();
  }
});
