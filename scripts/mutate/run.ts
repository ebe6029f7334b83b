// `npm run mutate [group...]`: mutation testing (StrykerJS) of the security- and data-critical
// modules, one group at a time, each against the tests that guard it; prints one score table.
// Not part of `npm test` or CI: a full run takes about an hour on 2 cores. See docs/testing.md.
import { readFileSync } from "node:fs";
import { MUTATE_GROUPS } from "./groups.ts";

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !MUTATE_GROUPS.some((g) => g.name === name));
if (unknown.length) {
  console.error(`unknown group(s): ${unknown.join(", ")}; groups: ${MUTATE_GROUPS.map((g) => g.name).join(", ")}`);
  process.exit(2);
}
const groups = wanted.length ? MUTATE_GROUPS.filter((g) => wanted.includes(g.name)) : MUTATE_GROUPS;

interface Mutant {
  status: string;
  mutatorName: string;
  replacement?: string;
  location: { start: { line: number; column: number } };
}
interface Report {
  files: Record<string, { mutants: Mutant[] }>;
}

const DETECTED = new Set(["Killed", "Timeout"]);
const COUNTED = new Set(["Killed", "Timeout", "Survived", "NoCoverage"]);
const rows: { group: string; detected: number; total: number; seconds: number }[] = [];

for (const group of groups) {
  const started = performance.now();
  const proc = Bun.spawn([process.execPath, "node_modules/@stryker-mutator/core/bin/stryker.js", "run", "stryker.config.mjs"], {
    env: { ...process.env, PC2_MUTATE_GROUP: group.name, PC2_MUTATE_FILES: group.mutate.join(","), PC2_MUTATE_TESTS: group.tests.join(",") },
    stdout: "inherit",
    stderr: "inherit",
  });
  if ((await proc.exited) !== 0) {
    console.error(`stryker failed on group ${group.name}`);
    process.exit(1);
  }
  const report = JSON.parse(readFileSync(`reports/mutation/${group.name}.json`, "utf8")) as Report;
  const mutants = Object.values(report.files).flatMap((f) => f.mutants);
  rows.push({
    group: group.name,
    detected: mutants.filter((m) => DETECTED.has(m.status)).length,
    total: mutants.filter((m) => COUNTED.has(m.status)).length,
    seconds: Math.round((performance.now() - started) / 1000),
  });
}

const pct = (d: number, t: number) => (t ? ((100 * d) / t).toFixed(1) : "-");
console.log("\ngroup          detected / mutants   score   time");
for (const r of rows) console.log(`${r.group.padEnd(14)} ${String(r.detected).padStart(8)} / ${String(r.total).padEnd(8)} ${pct(r.detected, r.total).padStart(6)}%  ${r.seconds}s`);
const detected = rows.reduce((n, r) => n + r.detected, 0);
const total = rows.reduce((n, r) => n + r.total, 0);
console.log(`${"all".padEnd(14)} ${String(detected).padStart(8)} / ${String(total).padEnd(8)} ${pct(detected, total).padStart(6)}%`);
