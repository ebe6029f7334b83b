// Loaded runs: the test suite back to back on a busy machine, to find tests that pass only when the
// machine is quiet. The load is a busy-loop process per `--hogs` (normal priority, the default one)
// and, with `--mutate <group>`, a mutation-testing run of that group at nice 15 (docs/testing.md).
// Each run's output is kept in reports/loaded-runs/; the summary lists every failing test by name.
//
//   bun scripts/loaded-runs.ts [--runs 5] [--hogs 1] [--mutate key-vault] [--suite server|all] [--only <path>] [--write]
//
// `--suite server` (the default) is `bun test test/server` (or only the files or folder `--only`
// names, to stress one suspect); `all` is `npm test` (with the browser).
// `--write` records the summary in docs/testing.md between the loaded-runs markers.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const ROOT = join(import.meta.dir, "..");
const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    hogs: { type: "string", default: "1" },
    mutate: { type: "string" },
    suite: { type: "string", default: "server" },
    only: { type: "string" },
    write: { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);
const hogs = Number(values.hogs);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(hogs) || hogs < 0) throw new Error("--runs ≥ 1 and --hogs ≥ 0, whole numbers");
if (values.suite !== "server" && values.suite !== "all") throw new Error("--suite is server or all");

const outDir = join(ROOT, "reports", "loaded-runs");
mkdirSync(outDir, { recursive: true });

/** The load, started once and kept for every run. */
const load: { kill(): void }[] = [];
for (let i = 0; i < hogs; i++) load.push(Bun.spawn([process.execPath, "-e", "for (;;) {}"], { stdout: "ignore", stderr: "ignore" }));
if (values.mutate) {
  writeFileSync(join(outDir, "mutate.log"), "");
  const mutation = Bun.spawn(["nice", "-n", "15", process.execPath, join(ROOT, "scripts", "mutate", "run.ts"), values.mutate], {
    cwd: ROOT,
    stdout: Bun.file(join(outDir, "mutate.log")),
    stderr: "inherit",
  });
  load.push(mutation);
}
const stopLoad = () => {
  for (const p of load) p.kill();
};
process.on("SIGINT", () => {
  stopLoad();
  process.exit(130);
});

interface Run {
  n: number;
  seconds: number;
  passed: number;
  failed: number;
  exitCode: number;
  failures: string[];
}

const tests = values.only ?? "test/server";
const command = values.suite === "all" ? [process.execPath, "scripts/test-all.ts"] : [process.execPath, "test", "--timeout", "60000", tests];
const results: Run[] = [];
try {
  if (values.suite === "server") await Bun.spawn([process.execPath, "scripts/build-wasm-apps.ts"], { cwd: ROOT, stdout: "ignore", stderr: "inherit" }).exited;
  for (let n = 1; n <= runs; n++) {
    const started = performance.now();
    const log = join(outDir, `run-${n}.log`);
    writeFileSync(log, ""); // (a child writing to a file does not truncate it)
    const proc = Bun.spawn(command, { cwd: ROOT, stdout: Bun.file(log), stderr: "pipe", env: process.env });
    const stderr = await new Response(proc.stderr).text();
    const exitCode = await proc.exited;
    const output = readFileSync(log, "utf8") + stderr;
    writeFileSync(log, output);
    // bun test prints "N pass" / "N fail"; npm test ends with "N passed, N failed".
    const total = /^(\d+) passed, (\d+) failed$/m.exec(output);
    const passed = Number(total?.[1] ?? /^\s*(\d+) pass$/m.exec(output)?.[1] ?? 0);
    const failed = Number(total?.[2] ?? /^\s*(\d+) fail$/m.exec(output)?.[1] ?? 0);
    const failures = [...new Set([...output.matchAll(/^\(fail\) (.+?)(?: \[[\d.]+m?s\])?$/gm)].map((m) => m[1]!))];
    const run = { n, seconds: Math.round((performance.now() - started) / 1000), passed, failed: exitCode !== 0 && failed === 0 ? 1 : failed, exitCode, failures };
    results.push(run);
    console.log(`run ${n}/${runs}: ${run.passed} passed, ${run.failed} failed in ${run.seconds} s${failures.length ? `\n  ${failures.join("\n  ")}` : ""}`);
  }
} finally {
  stopLoad();
}

const load_ =
  [hogs ? `${hogs} busy-loop process${hogs > 1 ? "es" : ""} at normal priority` : null, values.mutate ? `\`npm run mutate ${values.mutate}\` at nice 15` : null].filter(Boolean).join(" and ") ||
  "nothing";
const commit = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: ROOT }).stdout.toString().trim() || "unknown";
const summary = [
  `${new Date().toISOString().slice(0, 10)}, commit ${commit}: ${runs} runs of ${values.suite === "all" ? "`npm test`" : `\`bun test ${tests}\``} back to back, with ${load_} beside them on ${navigator.hardwareConcurrency} cores.`,
  "",
  "| run | passed | failed | time | failing tests |",
  "|---|---|---|---|---|",
  ...results.map((r) => `| ${r.n} | ${r.passed} | ${r.failed} | ${r.seconds} s | ${r.failures.join("; ") || "—"} |`),
].join("\n");
console.log(`\n${summary}`);
if (values.write) {
  const file = join(ROOT, "docs", "testing.md");
  const text = readFileSync(file, "utf8");
  const block = `<!-- loaded-runs -->\n${summary}\n<!-- /loaded-runs -->`;
  const re = /<!-- loaded-runs -->[\s\S]*?(?:<!-- \/loaded-runs -->|(?=\n## ))/;
  writeFileSync(file, text.replace(re, block));
  console.log(`updated ${file}`);
}
process.exit(results.every((r) => r.failed === 0) ? 0 : 1);
