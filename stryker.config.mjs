// StrykerJS for `npm run mutate` (scripts/mutate/run.ts picks a group from scripts/mutate/groups.ts
// and passes its files and tests in PC2_MUTATE_FILES / PC2_MUTATE_TESTS). Bun runs the tests: the
// command runner starts `bun test` once per mutant with the mutant chosen by environment variable.
const files = (process.env.PC2_MUTATE_FILES ?? "").split(",").filter(Boolean);
const tests = (process.env.PC2_MUTATE_TESTS ?? "").split(",").filter(Boolean);
const group = process.env.PC2_MUTATE_GROUP ?? "all";

export default {
  testRunner: "command",
  // The Bun that runs Stryker (scripts/mutate/run.ts starts it) runs the tests: no PATH needed. In a
  // session of their own (setsid --wait): a mutant that signals its process group (the terminal's
  // hang-up, turned on itself) then ends only its own test run, not Stryker. `choom -n 1000`: under a
  // memory cap, the OOM killer takes a test run (a mutant that lifts the WASM memory limit), not Stryker.
  commandRunner: { command: `setsid --wait choom -n 1000 -- ${process.execPath} test --bail --timeout 60000 ${tests.join(" ")}` },
  mutate: files,
  coverageAnalysis: "off",
  concurrency: Number(process.env.PC2_MUTATE_CONCURRENCY ?? 2),
  timeoutMS: 30000,
  timeoutFactor: 2,
  reporters: ["clear-text", "json", "progress-append-only"],
  jsonReporter: { fileName: `reports/mutation/${group}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  ignorePatterns: ["data", "reports", "test-results", "playwright-report", ".stryker-tmp"],
  incremental: false,
  thresholds: { high: 90, low: 85, break: null },
};
