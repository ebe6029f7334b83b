// Terminal flood benchmark: how fast the node answers `/health` while one of its terminals runs
// `yes` (a flood held to the output budget by the terminal's flow control), against the same node
// answering with no flood — the baseline, measured in the same run — and how much output the
// browser gets meanwhile. The test (test/server/terminal.test.ts) only checks that the
// node answers during a flood at all; this is where the latency is measured.
// `--write` records docs/performance.md.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pc2WsClient } from "../../web/api/ws-client.ts";
import { signIn, startNode } from "./bench-node.ts";
import { writeSection } from "./sections.ts";

const REQUESTS = Number(process.env.BENCH_RUNS ?? 300);
/** The flood is measured over at least this long (many budget windows of 250 ms). */
const FLOOD_MS = 3000;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const f1 = (n: number) => n.toFixed(1);

async function healthTimes(url: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    const res = await fetch(`${url}/health`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`/health answered ${res.status}`);
    times.push(performance.now() - t);
  }
  return times;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "pc2-bench-terminal-"));
  const node = await startNode(dir, { PC2_TERMINAL_SHELL: "/bin/sh" });
  try {
    const auth = await signIn(node.url, node.code);
    await healthTimes(node.url); // warm-up
    const quiet = await healthTimes(node.url);

    const ws = await Pc2WsClient.connect(`${node.url.replace(/^http/, "ws")}/ws`, { headers: auth });
    let received = 0;
    let cuts = 0;
    ws.on("terminal.data", (p) => {
      const data = (p as { data: string }).data;
      received += data.length;
      if (data.includes("bytes of output skipped")) cuts++;
    });
    const { id } = await ws.call<{ id: string }>("terminal.open", { cols: 80, rows: 24 });
    await ws.call("terminal.input", { id, data: "yes flood-line\r" });
    // The flood is under way once more than a budget's worth has come.
    while (received < 512 * 1024) await Bun.sleep(20);
    const started = performance.now();
    const receivedBefore = received;
    const cutsBefore = cuts;
    const flooded: number[] = [];
    while (performance.now() - started < FLOOD_MS) flooded.push(...(await healthTimes(node.url)));
    const seconds = (performance.now() - started) / 1000;
    await ws.call("terminal.input", { id, data: "\x03" });
    await ws.call("terminal.close", { id });
    ws.close();

    const row = (label: string, xs: number[]) => `| ${label} | ${f1(pct(xs, 50))} ms | ${f1(pct(xs, 99))} ms | ${f1(Math.max(...xs))} ms |`;
    const table = [
      `Terminal flood: sequential \`GET /health\` on one node, first ${REQUESTS} with no terminal, then ${flooded.length} over ${seconds.toFixed(1)} s while a terminal runs \`yes\` (held to the output budget by the terminal's flow control); ${navigator.hardwareConcurrency} cores.`,
      "",
      "| node | p50 | p99 | max |",
      "|---|---|---|---|",
      row("no flood (baseline)", quiet),
      row("a terminal running `yes`", flooded),
      "",
      `Ratio p50 ${(pct(flooded, 50) / pct(quiet, 50)).toFixed(1)}×, p99 ${(pct(flooded, 99) / pct(quiet, 99)).toFixed(1)}×. The browser got ${((received - receivedBefore) / 1024 / seconds).toFixed(0)} KiB/s of terminal output meanwhile (${cuts - cutsBefore} notes of skipped output).`,
    ].join("\n");
    console.log(table);
    if (process.argv.includes("--write")) writeSection("terminal-flood", table);
  } finally {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
