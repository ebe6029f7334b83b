// The sandbox pool on its own: queueing, the busy limit, cancelling while queued, replacement after a kill or once worn.
import { afterEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SandboxPool, WEAR } from "../../server/services/wasm/sandbox-pool.ts";
import { calc, LONG_IDLE_MS, loadModule as load, runRequest as request, spin } from "../helpers/sandbox-requests.ts";

let pool: SandboxPool | null = null;
afterEach(() => pool?.stop());

test("runs beyond the pool wait their turn; beyond the queue they get 503 wasm_busy", async () => {
  pool = new SandboxPool(1, LONG_IDLE_MS);
  pool.start(1);
  await pool.run(calc("0")); // the process is up: the next run starts at once
  const first = pool.run(spin(800));
  const queued = pool.run(calc("1+1"));
  await expect(pool.run(calc("2+2"))).rejects.toMatchObject({ status: 503, code: "wasm_busy", message: "Too many WASM runs are waiting; try again shortly" });
  expect((await first).killed).toBe("timeout");
  expect((await queued).stdout).toBe("2\n"); // ran on the replacement process
});

test("a run cancelled while it waits never starts", async () => {
  pool = new SandboxPool(4, LONG_IDLE_MS);
  pool.start(1);
  await pool.run(calc("0"));
  const first = pool.run(spin(600));
  const ctrl = new AbortController();
  const waiting = pool.run(calc("3*3"), undefined, ctrl.signal);
  expect(pool.queued()).toBe(1);
  ctrl.abort();
  // It leaves the queue at once and answers without waiting for the busy process.
  expect(pool.queued()).toBe(0);
  const answer = await waiting;
  expect(answer).toMatchObject({ killed: "cancelled", stdout: "", exitCode: null });
  expect(answer.durationMs).toBeLessThan(300);
  expect((await first).killed).toBe("timeout");
  expect((await pool.run(calc("3*3"))).stdout).toBe("9\n");
});

test("a process keeps compiled modules by hash and runs each job in a fresh instance", async () => {
  pool = new SandboxPool(4, LONG_IDLE_MS);
  pool.start(1);
  const results = [];
  for (let i = 0; i < 5; i++) results.push((await pool.run(calc(`${i}+${i}`))).stdout);
  expect(results).toEqual(["0\n", "2\n", "4\n", "6\n", "8\n"]);
});

test("a stopped pool refuses runs", async () => {
  pool = new SandboxPool(4, LONG_IDLE_MS);
  await expect(pool.run(calc("1"))).rejects.toMatchObject({ status: 503, code: "wasm_unavailable", message: "WASM apps are not running on this node" });
});

test("stdout and stderr together may reach the output cap exactly; one byte more ends the run", async () => {
  pool = new SandboxPool(4, LONG_IDLE_MS);
  pool.start(1);
  // echo prints "\n", "-\n", its stdin, then "to stderr\n": 13 bytes besides stdin.
  const cap = 4096;
  const echo = (stdinBytes: number) => request("echo", load("wasm-fixtures", "echo"), { stdin: new Uint8Array(stdinBytes).fill(0x61), maxOutputBytes: cap });
  const exact = await pool.run(echo(cap - 13));
  expect(exact).toMatchObject({ killed: null, exitCode: 0, stderr: "to stderr\n" });
  expect(exact.stdout.length).toBe(cap - 10);
  expect(await pool.run(echo(cap - 12))).toMatchObject({ killed: "output_limit", exitCode: null });
});

test("no process starts before a run needs one; a second starts only when both runs are in flight", async () => {
  pool = new SandboxPool(4, LONG_IDLE_MS);
  pool.start(2);
  await Bun.sleep(300);
  expect(pool.processes()).toBe(0);
  expect((await pool.run(calc("1+1"))).stdout).toBe("2\n");
  expect(pool.processes()).toBe(1);
  // One at a time reuses the one process.
  for (const e of ["2+2", "3+3"]) await pool.run(calc(e));
  expect(pool.processes()).toBe(1);
  // Three at once: a second process starts, never a third (the pool's size), and every run answers.
  const answers = await Promise.all(["4*4", "5*5", "6*6"].map((e) => pool!.run(calc(e))));
  expect(answers.map((a) => a.stdout)).toEqual(["16\n", "25\n", "36\n"]);
  expect(pool.processes()).toBe(2);
});

test("processes stop after a while without runs, and the next run starts one again", async () => {
  pool = new SandboxPool(4, LONG_IDLE_MS);
  pool.start(2, 300);
  await Promise.all([pool.run(calc("1+1")), pool.run(calc("1+2"))]);
  expect(pool.processes()).toBe(2);
  // Idle past the limit (checked every 300 ms here): every process stops.
  for (let i = 0; i < 50 && pool.processes() > 0; i++) await Bun.sleep(100);
  expect(pool.processes()).toBe(0);
  expect((await pool.run(calc("2+3"))).stdout).toBe("5\n");
  expect(pool.processes()).toBe(1);
});

test("a process used within the idle period is kept, and none retires while another run is in flight", async () => {
  pool = new SandboxPool(4, LONG_IDLE_MS);
  pool.start(2, 2000);
  // A run every 300 ms or so for 4 s (the idle check runs every 2 s, mostly between runs): the
  // process is never idle for 2 s (even if a busy machine slows a run tenfold), so it is there
  // before each run.
  await pool.run(calc("1"));
  const seen: number[] = [];
  for (let i = 0; i < 12; i++) {
    await Bun.sleep(300);
    seen.push(pool.processes());
    await pool.run(calc(String(i)));
  }
  expect(seen).toEqual(Array(12).fill(1));
  // One long run and one process left idle past the idle period: it stays while the run goes on.
  const stopLong = new AbortController();
  const long = pool.run(spin(30_000), undefined, stopLong.signal);
  await pool.run(calc("2+2"));
  expect(pool.processes()).toBe(2);
  await Bun.sleep(4500);
  expect(pool.processes()).toBe(2);
  stopLong.abort();
  expect((await long).killed).toBe("cancelled");
}, 30_000);

test("stop ends the idle processes and refuses what waits; later runs are refused", async () => {
  pool = new SandboxPool(4, LONG_IDLE_MS);
  pool.start(1);
  await pool.run(calc("1"));
  const long = pool.run(spin(1000));
  const waiting = pool.run(calc("2"));
  expect(pool.queued()).toBe(1);
  pool.stop();
  await expect(waiting).rejects.toMatchObject({ status: 503, code: "node_stopping", message: "The node is stopping" });
  expect(pool.queued()).toBe(0);
  await expect(pool.run(calc("3"))).rejects.toMatchObject({ status: 503, code: "wasm_unavailable" });
  // The run in flight is not cut short by stop; it ends at its own limit.
  expect((await long).killed).toBe("timeout");
});

test("a process is replaced after its jobs, or once it holds more compiled modules or files than allowed — each limit reached exactly keeps it", async () => {
  // Retired after the job that wears it out: with no run waiting, no process is left.
  pool = new SandboxPool(4, LONG_IDLE_MS, { ...WEAR, jobs: 3 });
  pool.start(1);
  for (const expr of ["1", "2"]) await pool.run(calc(expr));
  expect(pool.processes()).toBe(1);
  expect((await pool.run(calc("3"))).stdout).toBe("3\n");
  expect(pool.processes()).toBe(0);
  expect((await pool.run(calc("4"))).stdout).toBe("4\n"); // a fresh one
  pool.stop();

  const calcBytes = load("wasm-apps", "calc").byteLength;
  pool = new SandboxPool(4, LONG_IDLE_MS, { ...WEAR, moduleBytes: calcBytes });
  pool.start(1);
  for (const expr of ["1", "2"]) await pool.run(calc(expr)); // compiled once: exactly the limit
  expect(pool.processes()).toBe(1);
  await pool.run(request("wordcount", load("wasm-apps", "wordcount"), { stdin: new TextEncoder().encode("a b") }));
  expect(pool.processes()).toBe(0);
  pool.stop();

  pool = new SandboxPool(4, LONG_IDLE_MS, { ...WEAR, fileBytes: 150 });
  pool.start(1);
  const withInputs = (expr: string) => ({ ...calc(expr), inputBytes: 75 });
  for (const expr of ["1", "2"]) await pool.run(withInputs(expr)); // 150 bytes: exactly the limit
  expect(pool.processes()).toBe(1);
  await pool.run(withInputs("3"));
  expect(pool.processes()).toBe(0);
});

test("the wear limits in force are the ones docs/security.md states", () => {
  const MiB = 1024 * 1024;
  const security = readFileSync(join(import.meta.dir, "..", "..", "docs", "security.md"), "utf8").replace(/\s+/g, " ");
  expect(security).toContain(`retired after ${WEAR.jobs} runs, ${WEAR.moduleBytes / MiB} MiB of compiled modules or ${WEAR.fileBytes / MiB} MiB of files`);
});
