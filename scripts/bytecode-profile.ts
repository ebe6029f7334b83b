// Profile-guided bytecode layout for the compiled node (`bun build --bytecode-order`): run a first
// build the way a node usually starts — a restart with a first upload and a first WASM run, and a
// first start — with BUN_BYTECODE_ORDER_OUT set, so Bun records which functions start-up uses; the
// second build places them together at the front of the executable. Fewer pages of it are then read
// and kept: on 6 December the idle node's resident memory went from ~66 to ~60 MiB with it. A
// profile from another build still applies, it only helps less, so a failed recording costs speed,
// never correctness. (The sandbox child is killed with the node, before Bun writes its profile: the
// child's own start is not in it.)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signIn, smallWrite, wasmRun } from "./bench/bench-node.ts";

/** What a browser and a supervisor ask a node for first. */
const FIRST_REQUESTS = ["/health", "/", "/api/info", "/health"];

const SETUP_CODE = "bytecode-profile";

/** A 1 KiB upload (starts the IPFS worker) and a WASM run (starts a sandbox process), as the Owner. */
async function firstUse(url: string, auth: Record<string, string>): Promise<void> {
  await smallWrite(url, auth, "profile.txt");
  await wasmRun(url, auth);
}

async function recordOneStart(binary: string, dataDir: string, out: string, use: (url: string) => Promise<void>): Promise<void> {
  const proc = Bun.spawn([binary, "start"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      PC2_DATA_DIR: dataDir,
      PC2_PORT: "0",
      PC2_HOST: "127.0.0.1",
      PC2_LOG_FORMAT: "json",
      PC2_NETWORK_BOOTSTRAP: "none",
      PC2_NETWORK_IPV4: "127.0.0.1",
      PC2_NETWORK_PORT: "0",
      PC2_SETUP_CODE: SETUP_CODE,
      BUN_BYTECODE_ORDER_OUT: out,
    },
    stdout: "pipe",
    stderr: "ignore",
  });
  try {
    let log = "";
    const reader = proc.stdout.getReader();
    const deadline = Date.now() + 30_000;
    while (!/"msg":"listening"/.test(log)) {
      if (Date.now() > deadline) throw new Error("the node did not start within 30 s");
      const { done, value } = await reader.read();
      if (done) throw new Error(`the node exited before listening:\n${log}`);
      log += new TextDecoder().decode(value);
    }
    void reader.cancel();
    const url = /"url":"(https?:\/\/[^"]+)"/.exec(log)?.[1];
    if (!url) throw new Error("the node did not say where it listens");
    for (const path of FIRST_REQUESTS) await (await fetch(url + path, { tls: { rejectUnauthorized: false } })).arrayBuffer();
    await use(url);
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
  }
}

/**
 * Order files for `--bytecode-order`, the most common start first (a restart, then a first start),
 * written under `dir`. Empty when recording failed (the build then goes without a profile).
 */
export async function recordStartProfile(binary: string, dir: string): Promise<string[]> {
  const data = mkdtempSync(join(tmpdir(), "pc2-profile-"));
  const first = join(dir, "first-start.order");
  const restart = join(dir, "restart.order");
  try {
    let auth: Record<string, string> = {};
    await recordOneStart(binary, data, first, async (url) => {
      auth = await signIn(url, SETUP_CODE);
    });
    await recordOneStart(binary, data, restart, (url) => firstUse(url, auth));
    // The restart (with its first upload and WASM run, as the node sees them), then the first start.
    return [restart, first];
  } catch (err) {
    console.warn(`bytecode profile not recorded (${(err as Error).message}); building without it`);
    return [];
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}
