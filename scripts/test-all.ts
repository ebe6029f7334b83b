// `npm test`: runs every test suite and ends with one line "N passed, N failed" summing them all.
export {};

interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  exitCode: number;
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
  const { output, exitCode } = await runStreaming([process.execPath, "test", "--timeout", "60000", "test/server"]);
  const passed = Number(/^\s*(\d+) pass$/m.exec(output)?.[1] ?? 0);
  const failed = Number(/^\s*(\d+) fail$/m.exec(output)?.[1] ?? 0);
  // A crash before the summary must not read as success.
  return { name: "bun test", passed, failed: exitCode !== 0 && failed === 0 ? 1 : failed, exitCode };
}

const results = [await bunSuite()];
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
for (const r of results) console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 || results.some((r) => r.exitCode !== 0) ? 1 : 0);
