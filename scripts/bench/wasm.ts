// WASM benchmark: one run of a trivial module through PC2's sandbox (a child process per run) against
// a bare in-process WebAssembly.instantiate + run of the same module, in the same run.
// `--write` records docs/performance.md.
import { init, WASI } from "@wasmer/wasi";
import { join } from "node:path";
import { buildWasmApps } from "../build-wasm-apps.ts";
import { prepareModule } from "../../server/services/wasm/module-check.ts";
import { drainWarmPool, runSandboxed, setWarmPool } from "../../server/services/wasm/wasm-sandbox.ts";
import { writeSection } from "./sections.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

async function main() {
  await buildWasmApps();
  const bytes = new Uint8Array(await Bun.file(join(import.meta.dir, "..", "..", "dist", "wasm-apps", "calc.wasm")).arrayBuffer());
  const module = prepareModule(bytes, 64, 16 << 20);

  // Baseline: compile once, then instantiate + run in process, as a warm pool would at best.
  await init();
  const compiled = await WebAssembly.compile(module);
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const wasi = new WASI({ args: ["calc", "6*7"], env: {} });
    const instance = await WebAssembly.instantiate(compiled, wasi.getImports(compiled) as WebAssembly.Imports);
    wasi.start(instance);
    if (wasi.getStdoutString() !== "42\n") throw new Error("baseline produced the wrong answer");
    bare.push(performance.now() - t);
  }

  const run = async () => {
    const t = performance.now();
    const r = await runSandboxed({ module, args: ["6*7"], env: {}, stdin: new Uint8Array(0), timeoutMs: 10_000, maxOutputBytes: 1 << 20 });
    if (r.stdout !== "42\n") throw new Error("sandbox produced the wrong answer");
    return performance.now() - t;
  };
  const sandboxed: number[] = [];
  for (let i = 0; i < RUNS; i++) sandboxed.push(await run());
  // Warm: a pool of started children; each run waits for its replacement to be ready, as an idle node would.
  setWarmPool(2);
  const pooled: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await Bun.sleep(250);
    pooled.push(await run());
  }
  drainWarmPool();

  const f1 = (x: number) => x.toFixed(1);
  const table = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}; \`calc 6*7\`, ${RUNS} runs each.`,
    "",
    "| | p50 | p99 |",
    "|---|---|---|",
    `| baseline: in-process instantiate + run (compiled once) | ${f1(pct(bare, 50))} ms | ${f1(pct(bare, 99))} ms |`,
    `| PC2 sandbox, cold (a new child process per run) | ${f1(pct(sandboxed, 50))} ms | ${f1(pct(sandboxed, 99))} ms |`,
    `| PC2 sandbox, warm (a pooled child, started ahead) | ${f1(pct(pooled, 50))} ms | ${f1(pct(pooled, 99))} ms |`,
    "",
    `Warm / baseline at p50: **${(pct(pooled, 50) / pct(bare, 50)).toFixed(1)}×**. Goals: cold ≤ 100 ms → **${pct(sandboxed, 50) <= 100 ? "met" : "missed"}**; warm p50 ≤ 3 ms → **${pct(pooled, 50) <= 3 ? "met" : "missed"}**. Every run, warm or cold, is its own process (killed with SIGKILL at its time limit).`,
  ].join("\n");
  console.log(table);
  if (process.argv.includes("--write")) writeSection("wasm", table);
}

await main();
