// `npm test`: runs every test suite and ends with one line "N passed, N failed" summing them all.
export {};

interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  exitCode: number;
  seconds?: number;
}

/** Run a suite and note how long it took (CI has a time budget; each suite's share is printed). */
async function timed(suite: () => Promise<SuiteResult>): Promise<SuiteResult> {
  const started = performance.now();
  const result = await suite();
  return { ...result, seconds: Math.round((performance.now() - started) / 100) / 10 };
}

async function runStreaming(cmd: string[]): Promise<{ output: string; exitCode: number }> {
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", env: process.env });
  let output = "";
  const pump = async (stream: ReadableStream<Uint8Array>, sink: NodeJS.WriteStream) => {
    const decoder = new TextDecoder();
    for (const reader = stream.getReader(); ; ) {
      const { done, value } = await reader.read();
      if (done) return;
      const text = decoder.decode(value, { stream: true });
      output += text;
      sink.write(text);
    }
  };
  await Promise.all([pump(proc.stdout, process.stdout), pump(proc.stderr, process.stderr)]);
  return { output, exitCode: await proc.exited };
}

/** bun test: unit and integration tests under test/ (browser tests live apart, in test/e2e). */
async function bunSuite(): Promise<SuiteResult> {
  // The WASM sample apps and test fixtures are built from source first.
  await runStreaming([process.execPath, "scripts/build-wasm-apps.ts"]);
  const { output, exitCode } = await runStreaming([process.execPath, "test", "--timeout", "60000", "test/server"]);
  const passed = Number(/^\s*(\d+) pass$/m.exec(output)?.[1] ?? 0);
  const failed = Number(/^\s*(\d+) fail$/m.exec(output)?.[1] ?? 0);
  // A crash before the summary must not read as success.
  return { name: "bun test", passed, failed: exitCode !== 0 && failed === 0 ? 1 : failed, exitCode };
}

/** Playwright in Debian's Chromium: the desktop, signed in with a real (test) wallet. */
async function browserSuite(): Promise<SuiteResult> {
  const chromium = process.env.PC2_CHROMIUM ?? "/usr/bin/chromium";
  if (!(await Bun.file(chromium).exists())) {
    console.error(`browser tests need Chromium at ${chromium}: install Debian's package (apt-get install chromium) or set PC2_CHROMIUM`);
    return { name: "browser", passed: 0, failed: 1, exitCode: 1 };
  }
  // The desktop the tests load is the built one.
  await runStreaming([process.execPath, "scripts/build-web.ts"]);
  // Playwright's runner is a Node program (Node is always there: npm needs it).
  const { output, exitCode } = await runStreaming(["node", "node_modules/.bin/playwright", "test", "-c", "test/e2e/playwright.config.ts"]);
  const passed = Number(/^\s*(\d+) passed/m.exec(output)?.[1] ?? 0);
  const failed = Number(/^\s*(\d+) failed/m.exec(output)?.[1] ?? 0) + Number(/^\s*(\d+) flaky/m.exec(output)?.[1] ?? 0);
  return { name: "browser", passed, failed: exitCode !== 0 && failed === 0 ? 1 : failed, exitCode };
}

const results = [await timed(bunSuite), await timed(browserSuite)];
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
for (const r of results) console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed in ${r.seconds} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 || results.some((r) => r.exitCode !== 0) ? 1 : 0);
