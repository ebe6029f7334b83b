// A cron-like job: run a WASM app on the node every few seconds, a bounded number of times, and
// keep each run's output in ~/Jobs/<app>/<time>.txt on the node.
//   PC2_URL=… PC2_TOKEN=… bun client/examples/wasm-cron.ts --app=calc --every=60 --times=24 -- "6*7"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pc2Client } from "../pc2-client.ts";

const option = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const app = option("app", "calc");
const everyMs = Number(option("every", "60")) * 1000;
const times = Number(option("times", "1"));
const args = process.argv.includes("--") ? process.argv.slice(process.argv.indexOf("--") + 1) : [];

const client = new Pc2Client(process.env.PC2_URL ?? "http://127.0.0.1:4100", process.env.PC2_TOKEN ?? "");
const scratch = mkdtempSync(join(tmpdir(), "pc2-cron-"));
await client.files.mkdir(`~/Jobs/${app}`);
for (let run = 1; run <= times; run++) {
  const started = Date.now();
  let output = "";
  const result = await client.wasm.run(app, { args, onOutput: (_stream, text) => (output += text) });
  const name = `${new Date(started).toISOString().replace(/[:.]/g, "-")}-${run}.txt`;
  writeFileSync(join(scratch, name), `exit ${result.exitCode}${result.killed ? ` (${result.killed})` : ""} in ${result.durationMs} ms\n${output}`);
  await client.files.put(join(scratch, name), `~/Jobs/${app}/${name}`);
  console.log(`run ${run}/${times}: exit ${result.exitCode}, ${output.trim()}`);
  if (run < times) await Bun.sleep(Math.max(0, everyMs - (Date.now() - started)));
}
rmSync(scratch, { recursive: true, force: true });
await client.close();
