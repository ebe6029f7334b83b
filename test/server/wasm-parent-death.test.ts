// A WASI sandbox process ends with the node that started it — also while its guest loops, when the
// process cannot notice anything itself (workers/die-with-parent.ts). Without this, a node that
// crashed or was SIGKILLed left every busy sandbox spinning on, re-parented to init.
import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const FIXTURES = join(import.meta.dir, "..", "fixtures", "processes");

/** The process's state letter (R running, S sleeping, Z zombie…), or null once it is gone. */
function stateOf(pid: number): string | null {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return null;
  try {
    return readFileSync(file, "utf8").replace(/^.*\) /s, "")[0] ?? null;
  } catch {
    return null;
  }
}

async function readLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return text.trim();
}

test.skipIf(process.platform !== "linux")("a sandbox busy in an endless loop is killed the moment its node dies", async () => {
  const parent = Bun.spawn([process.execPath, join(FIXTURES, "sandbox-parent.ts")], { stdout: "pipe", stderr: "inherit" });
  let sandbox = 0;
  try {
    sandbox = Number(await readLine(parent.stdout));
    expect(sandbox).toBeGreaterThan(1);
    expect(stateOf(sandbox)).toBe("R"); // in the guest's loop (the parent printed the pid once it was)
    parent.kill("SIGKILL");
    await parent.exited;
    let state = stateOf(sandbox);
    for (let i = 0; i < 200 && state !== null && state !== "Z"; i++) {
      await Bun.sleep(25);
      state = stateOf(sandbox);
    }
    // Gone, or a zombie waiting for init to reap it (dead either way; a container's init may not reap).
    expect([null, "Z"]).toContain(state);
  } finally {
    parent.kill("SIGKILL");
    if (sandbox > 1 && stateOf(sandbox) !== null) process.kill(sandbox, "SIGKILL");
  }
});

test.skipIf(process.platform !== "linux")("a process whose node is already gone when it asks ends at once", async () => {
  const child = Bun.spawn([process.execPath, join(FIXTURES, "orphan-check.ts")], { stdout: "pipe", stderr: "pipe" });
  expect(await child.exited).not.toBe(0);
  expect(child.signalCode).toBe("SIGKILL");
  expect(await new Response(child.stdout).text()).toBe("");
});
