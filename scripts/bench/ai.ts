// AI benchmark: time to first token and tokens/s of a chat through PC2 (over /ws, the AI worker,
// conversations saved) against calling node-llama-cpp directly in this process, in the same run,
// on the same generated tiny model with one thread. `--write` records docs/performance.md.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getLlama, LlamaChatSession, resolveChatWrapper } from "node-llama-cpp";
import { Pc2WsClient } from "../../web/api/ws-client.ts";
import { makeTinyGguf, TINY, type ModelShape } from "../make-tiny-gguf.ts";
import { signIn, startNode } from "./bench-node.ts";
import { writeSection } from "./sections.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
/** Compute per token like a small real model on one core (~100 MB of F32 weights). */
const REALISTIC: ModelShape = { embd: 512, ff: 2048, layers: 8 };
const REPLY = "abcdefghijklmnopqrstuvwxyz.";
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Sample {
  /** First piece of text, last piece, and the whole call (PC2: with the conversation saved). */
  ttft: number;
  last: number;
  total: number;
  tokens: number;
}

async function direct(modelPath: string, runs: number): Promise<Sample[]> {
  const llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: "error" as never });
  const model = await llama.loadModel({ modelPath });
  const wrapper = resolveChatWrapper(model);
  const samples: Sample[] = [];
  // The best direct use: one context kept, its history cleared between chats (as PC2's worker does).
  const context = await model.createContext({ contextSize: 512, threads: 1 });
  const sequence = context.getSequence();
  for (let i = 0; i < runs + 3; i++) {
    const t = performance.now();
    let first = 0;
    let last = 0;
    let pieces = 0;
    const session = new LlamaChatSession({ contextSequence: sequence, chatWrapper: wrapper ?? "auto", autoDisposeSequence: false });
    session.setChatHistory([]);
    const text = await session.prompt("Hi!", {
      temperature: 0,
      maxTokens: 64,
      onTextChunk: () => {
        last = performance.now() - t;
        if (pieces++ === 0) first = last;
      },
    });
    const total = performance.now() - t;
    session.dispose({ disposeSequence: false });
    await sequence.clearHistory();
    if (text !== REPLY) throw new Error(`direct: unexpected reply ${text}`);
    if (i >= 3) samples.push({ ttft: first, last, total, tokens: pieces }); // the first runs warm the model up
  }
  await context.dispose();
  await model.dispose();
  return samples;
}

/** One node; each model in turn. */
async function throughPc2(dataDir: string, jobs: { model: string; runs: number }[]): Promise<Sample[][]> {
  const node = await startNode(dataDir, { PC2_AI_THREADS: "1", PC2_AI_CONTEXT_SIZE: "512", PC2_AI_OLLAMA_STORES: "", PC2_AI_OLLAMA_HOST: "http://127.0.0.1:9" });
  try {
    const auth = await signIn(node.url, node.code);
    const ws = await Pc2WsClient.connect(node.url.replace(/^http/, "ws") + "/ws", { headers: auth });
    const results: Sample[][] = [];
    for (const { model, runs } of jobs) {
      const samples: Sample[] = [];
      for (let i = 0; i < runs + 3; i++) {
        const t = performance.now();
        let first = 0;
        let last = 0;
        const off = ws.on("ai.token", () => {
          last = performance.now() - t;
          if (!first) first = last;
        });
        const reply = await ws.call<{ message: { content: string }; usage: { tokens: number } }>("ai.chat", { model: `local/${model}`, message: "Hi!", temperature: 0, maxTokens: 64 });
        const total = performance.now() - t;
        off();
        if (reply.message.content !== REPLY) throw new Error(`pc2: unexpected reply ${reply.message.content}`);
        if (i >= 3) samples.push({ ttft: first, last, total, tokens: reply.usage.tokens });
      }
      results.push(samples);
    }
    ws.close();
    return results;
  } finally {
    await node.stop();
  }
}

interface Row {
  label: string;
  base: Sample[];
  pc2: Sample[];
}

// Tokens/s from the first token to the last as the caller receives them (the first includes the prompt).
const rate = (s: Sample[]) => median(s.map((x) => (x.tokens - 1) / ((x.last - x.ttft) / 1000)));
const f1 = (x: number) => x.toFixed(1);

function lines({ label, base, pc2 }: Row): string[] {
  const perToken = (s: Sample[]) => median(s.map((x) => (x.last - x.ttft) / (x.tokens - 1)));
  return [
    `| ${label}: node-llama-cpp called directly | ${f1(median(base.map((s) => s.ttft)))} ms | ${f1(median(base.map((s) => s.total)))} ms | ${rate(base).toFixed(0)} (${perToken(base).toFixed(2)} ms/token) |`,
    `| ${label}: PC2 \`ai.chat\` over /ws → AI worker | ${f1(median(pc2.map((s) => s.ttft)))} ms | ${f1(median(pc2.map((s) => s.total)))} ms | ${rate(pc2).toFixed(0)} (${perToken(pc2).toFixed(2)} ms/token) |`,
  ];
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), "pc2-bench-ai-"));
  try {
    const rows: Row[] = [];
    for (const [name, shape, runs] of [
      ["pc2-tiny", TINY, RUNS * 2],
      ["pc2-bench", REALISTIC, RUNS],
    ] as const) {
      const path = join(dataDir, "models", `${name}.gguf`);
      makeTinyGguf(path, shape);
      rows.push({ label: `${name} (${shape.layers} layers × ${shape.embd})`, base: await direct(path, runs), pc2: [] });
    }
    const measured = await throughPc2(dataDir, [
      { model: "pc2-tiny", runs: RUNS * 2 },
      { model: "pc2-bench", runs: RUNS },
    ]);
    rows.forEach((r, i) => (r.pc2 = measured[i]!));
    const [tiny, real] = rows as [Row, Row];
    const extra = median(real.pc2.map((s) => s.ttft)) - median(real.base.map((s) => s.ttft));
    const loss = 1 - rate(real.pc2) / rate(real.base);
    const table = [
      `Measured ${new Date().toISOString().slice(0, 10)} on ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}; generated models (scripts/make-tiny-gguf.ts), 1 thread, a 27-token reply; median of ${RUNS * 2} / ${RUNS} chats.`,
      "",
      "| | time to first token | whole call | tokens/s, first to last token |",
      "|---|---|---|---|",
      ...lines(tiny),
      ...lines(real),
      "",
      `On the model with realistic compute per token: extra time to first token **${f1(extra)} ms** (goal ≤ 5 ms → **${extra <= 5 ? "met" : "missed"}**), throughput loss **${(loss * 100).toFixed(1)}%** (goal ≤ 5% → **${loss <= 0.05 ? "met" : "missed"}**). On the tiny model, whose tokens take a fraction of a millisecond, the fixed cost per token of the worker thread and the socket shows: ${(1000 / rate(tiny.pc2) - 1000 / rate(tiny.base)).toFixed(2)} ms per token.`,
    ].join("\n");
    console.log(table);
    if (process.argv.includes("--write")) writeSection("ai", table);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
