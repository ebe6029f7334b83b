// WASM benchmark: a trivial module (`calc 6*7`) through PC2's sandbox pool against a bare in-process
// WebAssembly.instantiate + run of the same module, measured in the same run.
// `--write` records docs/performance.md.
import { init, WASI } from "@wasmer/wasi";
import { join } from "node:path";
import { buildWasmApps } from "../build-wasm-apps.ts";
import { prepareModule } from "../../server/services/wasm/module-check.ts";
import { SandboxPool } from "../../server/services/wasm/sandbox-pool.ts";
import { runRequest } from "../../test/helpers/sandbox-requests.ts";
import { writeSection } from "./sections.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const COLD_RUNS = 10;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

async function main() {
  await buildWasmApps();
  const bytes = new Uint8Array(await Bun.file(join(import.meta.dir, "..", "..", "dist", "wasm-apps", "calc.wasm")).arrayBuffer());
  const module = prepareModule(bytes, 64, 16 << 20);
  const req = runRequest("calc", module, { args: ["6*7"] });

  // Baseline: compile once, then instantiate + run in process.
  await init();
  const compiled = await WebAssembly.compile(module);
  const bare: number[] = [];
  const bareStart = performance.now();
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const wasi = new WASI({ args: ["calc", "6*7"], env: {} });
    const instance = await WebAssembly.instantiate(compiled, wasi.getImports(compiled) as WebAssembly.Imports);
    wasi.start(instance);
    if (wasi.getStdoutString() !== "42\n") throw new Error("baseline produced the wrong answer");
    wasi.free();
    bare.push(performance.now() - t);
  }
  const bareRate = RUNS / ((performance.now() - bareStart) / 1000);

  const timed = async (pool: SandboxPool) => {
    const t = performance.now();
    const r = await pool.run(req);
    if (r.stdout !== "42\n") throw new Error(`sandbox produced the wrong answer: ${JSON.stringify(r)}`);
    return performance.now() - t;
  };

  // Cold: a node with no started process: spawn, initialise, compile, run.
  const cold: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const pool = new SandboxPool(8, 60_000);
    const t = performance.now();
    pool.start(1);
    await timed(pool);
    cold.push(performance.now() - t);
    pool.stop();
  }

  // Warm: started processes that have compiled the module.
  const pool = new SandboxPool(64, 60_000);
  pool.start(2);
  await Promise.all([timed(pool), timed(pool)]);
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) warm.push(await timed(pool));
  // Throughput: 8 clients at once through the pool of 2.
  const rateStart = performance.now();
  let left = RUNS;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (left-- > 0) await timed(pool);
    }),
  );
  const poolRate = RUNS / ((performance.now() - rateStart) / 1000);
  pool.stop();

  const f1 = (x: number) => x.toFixed(1);
  const table = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}; \`calc 6*7\`; ${RUNS} warm runs, ${COLD_RUNS} cold.`,
    "",
    "| | p50 | p99 | runs/s |",
    "|---|---|---|---|",
    `| baseline: in-process instantiate + run (compiled once) | ${f1(pct(bare, 50))} ms | ${f1(pct(bare, 99))} ms | ${bareRate.toFixed(0)} (1 thread) |`,
    `| PC2 sandbox, cold (spawn + init + compile + run) | ${f1(pct(cold, 50))} ms | ${f1(pct(cold, 99))} ms | |`,
    `| PC2 sandbox, warm (pooled process, module cached by hash) | ${f1(pct(warm, 50))} ms | ${f1(pct(warm, 99))} ms | ${poolRate.toFixed(0)} (pool of 2, 8 clients) |`,
    "",
    `Warm / baseline at p50: **${(pct(warm, 50) / pct(bare, 50)).toFixed(1)}×**. Goals: cold ≤ 100 ms → **${pct(cold, 50) <= 100 ? "met" : "missed"}**; warm p50 ≤ 3 ms → **${pct(warm, 50) <= 3 ? "met" : "missed"}**. Each run is a fresh WASI instance and file system in a separate process that is SIGKILLed (and replaced) at its time limit.`,
  ].join("\n");
  console.log(table);
  if (process.argv.includes("--write")) writeSection("wasm", table);
}

await main();
