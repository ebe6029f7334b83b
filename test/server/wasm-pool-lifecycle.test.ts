// The sandbox pool's processes as the machine sees them: a retired process is gone (not only from the
// count), a finished job leaves nothing behind that could touch the next job on the same process, a
// cancel touches only its own run, and a sandbox killed from outside is reported and replaced.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SandboxPool, WEAR, type RunResult } from "../../server/services/wasm/sandbox-pool.ts";
import { SandboxProcess } from "../../server/services/wasm/sandbox-process.ts";
import { calc, LONG_IDLE_MS, loadModule as load, runRequest as request, spin } from "../helpers/sandbox-requests.ts";

/** Live (not zombie) sandbox processes this test process started: read from /proc, not from the pool. */
function sandboxPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(ppid) !== process.pid || state === "Z") continue;
      if (readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes("PC2_WASI_CHILD=1")) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Waits (bounded) until `count` sandbox processes are left on the machine, and says how many are. */
async function settlesAt(count: number, ms = 5000): Promise<number> {
  const until = performance.now() + ms;
  while (sandboxPids().length !== count && performance.now() < until) await Bun.sleep(25);
  return sandboxPids().length;
}

/** `run`'s result, or "never answered" when it takes longer than `ms` (a run dropped from the queue). */
const within = (run: Promise<RunResult>, ms = 15_000) => Promise.race([run, Bun.sleep(ms).then(() => "never answered" as const)]);

let pool: SandboxPool | null = null;
afterEach(async () => {
  pool?.stop();
  pool = null;
  await settlesAt(0);
});

test("a process retired for idleness, by stop() or once worn is gone from the machine, not only from the count", async () => {
  pool = new SandboxPool(4, LONG_IDLE_MS);
  pool.start(1, 300);
  await pool.run(calc("1"));
  expect(sandboxPids()).toHaveLength(1);
  for (let i = 0; i < 50 && pool.processes() > 0; i++) await Bun.sleep(100);
  expect(pool.processes()).toBe(0);
  expect(await settlesAt(0)).toBe(0);
  pool.stop();

  pool = new SandboxPool(4, LONG_IDLE_MS);
  pool.start(1);
  await pool.run(calc("1"));
  pool.stop();
  expect(await settlesAt(0)).toBe(0);

  pool = new SandboxPool(4, LONG_IDLE_MS, { ...WEAR, jobs: 1 });
  pool.start(1);
  expect((await pool.run(calc("2"))).stdout).toBe("2\n");
  expect(pool.processes()).toBe(0);
  expect(await settlesAt(0)).toBe(0);
  pool.stop();

  // A run that had its process when the pool stopped ends normally; its process then goes too.
  pool = new SandboxPool(4, LONG_IDLE_MS);
  pool.start(1);
  await pool.run(calc("1"));
  const inFlight = pool.run(calc("5*5"));
  pool.stop();
  expect((await inFlight).stdout).toBe("25\n");
  expect(pool.processes()).toBe(0);
  expect(await settlesAt(0)).toBe(0);
});

test("a finished job's time limit and cancel signal cannot reach the next job on the same process", async () => {
  pool = new SandboxPool(4, LONG_IDLE_MS);
  pool.start(1);
  const earlier = new AbortController();
  expect((await pool.run(calc("1+1", { timeoutMs: 300 }), undefined, earlier.signal)).stdout).toBe("2\n");
  // The next job spins until its own limit; the earlier job's 300 ms and its signal come and go meanwhile.
  const next = pool.run(spin(1500));
  await Bun.sleep(500);
  earlier.abort();
  const result = await next;
  expect(result).toMatchObject({ killed: "timeout", error: null, exitCode: null });
  expect(result.durationMs).toBeGreaterThanOrEqual(1400);
});

test("a run whose signal fired before it began never takes a process and reports cancelled", async () => {
  pool = new SandboxPool(4, LONG_IDLE_MS);
  pool.start(1);
  await pool.run(calc("1"));
  const ctrl = new AbortController();
  ctrl.abort();
  const heard: string[] = [];
  const result = await pool.run(calc("3*3"), (_s, text) => heard.push(text), ctrl.signal);
  expect(result).toEqual({ exitCode: null, stdout: "", stderr: "", files: [], durationMs: expect.any(Number), killed: "cancelled", error: null });
  expect(result.durationMs).toBeLessThan(1000);
  expect(heard).toEqual([]);
  // The process was not used: it is the same one, and it takes the next run.
  const before = sandboxPids();
  expect((await pool.run(calc("4*4"))).stdout).toBe("16\n");
  expect(sandboxPids()).toEqual(before);
  // With every process busy it does not wait in the queue for one, nor start one.
  const busy = pool.run(spin(1500));
  const answered = await pool.run(calc("5*5"), undefined, ctrl.signal);
  expect(answered).toMatchObject({ killed: "cancelled", stdout: "" });
  expect(answered.durationMs).toBeLessThan(1000);
  expect(pool.queued()).toBe(0);
  expect((await busy).killed).toBe("timeout");
});

test("a run cancelled in the moment it gets its process never starts its job, and the process is kept", async () => {
  pool = new SandboxPool(4, LONG_IDLE_MS);
  pool.start(1);
  await pool.run(calc("0"));
  const before = sandboxPids();
  const ctrl = new AbortController();
  const run = pool.run(spin(30_000), undefined, ctrl.signal); // has the idle process, job not yet sent
  ctrl.abort();
  const result = await within(run, 10_000);
  expect(result).toMatchObject({ killed: "cancelled", stdout: "", exitCode: null, error: null });
  expect(pool.processes()).toBe(1);
  expect(sandboxPids()).toEqual(before);
  expect((await pool.run(calc("2*3"))).stdout).toBe("6\n");
});

test("cancelling a run that has its process leaves the runs still waiting in the queue", async () => {
  pool = new SandboxPool(4, LONG_IDLE_MS);
  pool.start(1);
  await pool.run(calc("0"));
  const first = new AbortController();
  const firstRun = pool.run(spin(30_000), undefined, first.signal);
  const second = new AbortController();
  const secondRun = pool.run(spin(30_000), undefined, second.signal); // waits for the one process
  expect(pool.queued()).toBe(1);
  await Bun.sleep(200); // the first run's job is under way
  first.abort(); // its process is killed and replaced; the replacement goes to the second run
  expect((await firstRun).killed).toBe("cancelled");
  for (let i = 0; i < 100 && pool.queued() > 0; i++) await Bun.sleep(50);
  expect(pool.queued()).toBe(0);
  const third = pool.run(calc("6*7")); // waits now
  expect(pool.queued()).toBe(1);
  second.abort(); // the second run's wait is long over: its cancel must not take the third run's place
  expect((await secondRun).killed).toBe("cancelled");
  const answer = await within(third);
  expect(answer === "never answered" ? answer : answer.stdout).toBe("42\n");
}, 40_000);

test("a sandbox process killed from outside mid-run is reported as such, and the next run gets a new one", async () => {
  pool = new SandboxPool(4, LONG_IDLE_MS);
  pool.start(1);
  await pool.run(calc("1"));
  const [victim] = sandboxPids();
  const running = pool.run(spin(30_000));
  await Bun.sleep(200);
  process.kill(victim!, "SIGKILL");
  const result = await within(running);
  // What it printed before is kept; it reports no exit code of its own.
  expect(result).toEqual({ exitCode: null, stdout: "spinning\n", stderr: "", files: [], durationMs: expect.any(Number), killed: null, error: "The sandbox process stopped unexpectedly" });
  expect((await pool.run(calc("2+2"))).stdout).toBe("4\n");
  const now = sandboxPids();
  expect(now).toHaveLength(1);
  expect(now).not.toContain(victim);
});

test("files a job reads and writes count toward its process's wear: input bytes plus what the guest wrote", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pc2-wear-"));
  try {
    const input = join(dir, "a.txt");
    writeFileSync(input, "x".repeat(100));
    const tamper = load("wasm-fixtures", "tamper");
    // tamper copies /input/a.txt to /output/copy.txt: 100 bytes written. Input counted as 50 here.
    const job = (n: number) => {
      const outputDir = join(dir, `out${n}`);
      return request("tamper", tamper, { inputs: [{ name: "a.txt", hostPath: input }], inputBytes: 50, outputDir, maxOutputFiles: 4, maxOutputFileBytes: 4096 });
    };
    pool = new SandboxPool(4, LONG_IDLE_MS, { ...WEAR, fileBytes: 300 });
    pool.start(1);
    const first = await pool.run(job(1));
    expect(first).toMatchObject({ exitCode: 0, error: null, files: [{ index: 1, name: "copy.txt", size: 100 }] });
    await pool.run(job(2)); // 150 + 150 = 300: exactly the limit
    expect(pool.processes()).toBe(1);
    await pool.run(job(3)); // 450: past it
    expect(pool.processes()).toBe(0);
    pool.stop();

    // A run that fails after writing (here: over its file cap, outside /output) leaves its bytes in
    // the process all the same: they count, though it gives back no files.
    const MiB = 1024 * 1024;
    const flood = () => request("flood", load("wasm-fixtures", "flood"), { args: ["root"], outputDir: join(dir, "flood"), maxOutputFiles: 4, maxOutputFileBytes: 3 * MiB });
    pool = new SandboxPool(4, LONG_IDLE_MS, { ...WEAR, fileBytes: 3 * MiB });
    pool.start(1);
    const failed = await pool.run(flood());
    expect(failed).toMatchObject({ exitCode: null, killed: null, files: [], error: `The app wrote more than ${3 * MiB} bytes of files (its files live in memory)` });
    expect(pool.processes()).toBe(1); // 3 MiB written: exactly the limit
    await pool.run(calc("1", { inputBytes: 1 }));
    expect(pool.processes()).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a sandbox process that cannot start refuses the runs waiting for it at once; the next run tries again", async () => {
  let broken = true;
  let spawned = 0;
  const spawn = () => (spawned++, broken ? new SandboxProcess(["/bin/sh", "-c", "exit 1"]) : new SandboxProcess());
  pool = new SandboxPool(4, LONG_IDLE_MS, WEAR, spawn);
  pool.start(2);
  const both = await Promise.allSettled([pool.run(calc("1")), pool.run(calc("2"))]);
  for (const r of both) expect(r).toMatchObject({ status: "rejected", reason: { status: 503, code: "wasm_sandbox_failed", message: "The WASM sandbox could not start; try again shortly" } });
  expect([pool.queued(), pool.processes(), spawned]).toEqual([0, 0, 2]);
  broken = false;
  expect((await pool.run(calc("3*3"))).stdout).toBe("9\n");
  expect([pool.processes(), spawned]).toEqual([1, 3]);
});

test("while another process runs, a run whose new process cannot start waits for that one; with none left, it is refused", async () => {
  let broken = false;
  const spawn = () => (broken ? new SandboxProcess(["/bin/sh", "-c", "exit 1"]) : new SandboxProcess());
  pool = new SandboxPool(4, LONG_IDLE_MS, WEAR, spawn);
  pool.start(2);
  await pool.run(calc("0"));
  broken = true;
  const busy = pool.run(calc("1+1")); // has the one process
  const waiting = pool.run(calc("6*7")); // a second process is tried and fails; the first takes this run when free
  expect((await busy).stdout).toBe("2\n");
  expect((await waiting).stdout).toBe("42\n");
  // Now the one process is killed at a run's limit, and its replacement cannot start: the run
  // waiting behind it is refused rather than left waiting.
  const spinning = pool.run(spin(800));
  const behind = pool.run(calc("6*7"));
  expect((await spinning).killed).toBe("timeout");
  await expect(behind).rejects.toMatchObject({ code: "wasm_sandbox_failed" });
  expect(pool.processes()).toBe(0);
});
