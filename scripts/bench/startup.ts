// Startup benchmark: binary size and spawn → first 200 on /health for dist/pc2, against a bare
// compiled Bun.serve hello measured in the same run; then, on each restart, a WASM run right after
// the first 200, and the idle node's memory (its whole process tree): 3 s after start, and after a WASM run and a
// file write followed by the idle time that stops the sandbox process. `--write` records the table in
// docs/performance.md.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary } from "../build.ts";
import { signIn, smallWrite, wasmRun } from "./bench-node.ts";
import { writeSection } from "./sections.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 9);

function freePort(): number {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

interface TreeRss {
  bytes: number;
  /** Of which anonymous memory (heaps, stacks): what the processes cost the machine. */
  anon: number;
  /** Of which pages of files, mostly the executable's: shared with the page cache, dropped by the kernel when it needs the memory. */
  file: number;
  processes: number;
}

/** Resident memory of `pid` and every process below it, in bytes (from /proc). */
function treeRss(pid: number): TreeRss {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      /* ended meanwhile */
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parentOf) if (parent === tree[i]) tree.push(child);
  const total = { bytes: 0, anon: 0, file: 0, processes: tree.length };
  for (const p of tree) {
    const status = readFileSync(`/proc/${p}/status`, "utf8");
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
    total.bytes += kib("VmRSS");
    total.anon += kib("RssAnon");
    total.file += kib("RssFile") + kib("RssShmem");
  }
  return total;
}

interface Started {
  ms: number;
  port: number;
  pid: number;
  stop: () => Promise<void>;
}

/** Spawn `cmd` and poll `url` every 2 ms until it answers 200; the process is left running. */
async function untilFirst200(cmd: string[], env: Record<string, string>, url: (port: number) => string): Promise<Started> {
  const port = freePort();
  const started = performance.now();
  const proc = Bun.spawn(cmd, { env: { PATH: process.env.PATH ?? "", ...env, PC2_PORT: String(port), PORT: String(port) }, stdout: "ignore", stderr: "ignore" });
  const stop = async () => {
    proc.kill("SIGTERM");
    await proc.exited;
  };
  for (let i = 0; i < 5000; i++) {
    try {
      if ((await fetch(url(port))).status === 200) return { ms: performance.now() - started, port, pid: proc.pid, stop };
    } catch {
      /* not listening yet */
    }
    await Bun.sleep(2);
  }
  await stop();
  throw new Error(`${cmd[0]} never answered 200`);
}

async function timeToFirst200(cmd: string[], env: Record<string, string>, url: (port: number) => string): Promise<number> {
  const s = await untilFirst200(cmd, env, url);
  await s.stop();
  return s.ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;

async function main() {
  const work = mkdtempSync(join(tmpdir(), "pc2-bench-"));
  try {
    const pc2 = await buildBinary(join(work, "pc2"));
    const helloSrc = join(work, "hello.ts");
    writeFileSync(helloSrc, 'Bun.serve({ hostname: "127.0.0.1", port: Number(process.env.PORT), fetch: () => new Response("ok") });\n');
    const hello = join(work, "hello");
    const b = Bun.spawn([process.execPath, "build", "--compile", "--minify", "--bytecode", "--format=esm", helloSrc, "--outfile", hello], { stdout: "ignore", stderr: "inherit" });
    if ((await b.exited) !== 0) throw new Error("baseline build failed");

    const data = join(work, "data");
    const health = (port: number) => `http://127.0.0.1:${port}/health`;
    const first: number[] = [];
    for (let i = 0; i < Math.max(3, Math.floor(RUNS / 2)); i++) {
      const fresh = join(work, `fresh-${i}`);
      first.push(await timeToFirst200([pc2], { PC2_DATA_DIR: fresh }, health));
    }
    // Create the node once and sign its Owner in (a session token outlives restarts); the runs below are restarts.
    const code = "bench-startup-code";
    const created = await untilFirst200([pc2], { PC2_DATA_DIR: data, PC2_SETUP_CODE: code }, health);
    const auth = await signIn(`http://127.0.0.1:${created.port}`, code);
    await created.stop();
    const restart: number[] = [];
    const base: number[] = [];
    const wasmAfter: number[] = [];
    const wasmWarm: number[] = [];
    const writeAfter: number[] = [];
    const writeWarm: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      base.push(await timeToFirst200([hello], {}, (p) => `http://127.0.0.1:${p}/`));
      restart.push(await timeToFirst200([pc2], { PC2_DATA_DIR: data }, health));
    }
    for (let i = 0; i < Math.max(3, Math.floor(RUNS / 2)); i++) {
      const s = await untilFirst200([pc2], { PC2_DATA_DIR: data }, health);
      wasmAfter.push(await wasmRun(`http://127.0.0.1:${s.port}`, auth));
      wasmWarm.push(await wasmRun(`http://127.0.0.1:${s.port}`, auth));
      writeAfter.push(await smallWrite(`http://127.0.0.1:${s.port}`, auth, `after-restart-${i}.txt`));
      writeWarm.push(await smallWrite(`http://127.0.0.1:${s.port}`, auth, `warm-${i}.txt`));
      // A small file's IPFS pin is made within a second of the write (owed pins, docs/files-api.md);
      // stopped before that, the next start makes it at once and is not idle. Let it be made.
      await Bun.sleep(1500);
      await s.stop();
    }
    // Idle: a restarted node left alone for 3 s, nobody signed in.
    const idleNode = await untilFirst200([pc2], { PC2_DATA_DIR: data }, health);
    await Bun.sleep(3000);
    const idle = treeRss(idleNode.pid);
    await idleNode.stop();
    // Idle after use: a WASM run and a file write, then nothing for longer than the sandbox's idle
    // time (5 s here; 10 minutes by default): its process has stopped.
    const usedNode = await untilFirst200([pc2], { PC2_DATA_DIR: data, PC2_WASM_IDLE_SECONDS: "5", PC2_IPFS_IDLE_SECONDS: "5" }, health);
    await wasmRun(`http://127.0.0.1:${usedNode.port}`, auth);
    await smallWrite(`http://127.0.0.1:${usedNode.port}`, auth, "idle-bench.txt");
    const busy = treeRss(usedNode.pid);
    await Bun.sleep(11_000);
    const idleAfterUse = treeRss(usedNode.pid);
    await usedNode.stop();
    const helloNode = await untilFirst200([hello], {}, (p) => `http://127.0.0.1:${p}/`);
    await Bun.sleep(500);
    const helloIdle = treeRss(helloNode.pid);
    await helloNode.stop();
    const size = statSync(pc2).size;
    const baseSize = statSync(hello).size;
    const ratio = median(restart) / median(base);
    const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
    const processes = (n: number) => `${n} process${n === 1 ? "" : "es"}`;
    const parts = (r: TreeRss) => `${mib(r.bytes)} in ${processes(r.processes)}: ${mib(r.anon)} anonymous, ${mib(r.file)} file pages`;
    const table = [
      `Measured ${new Date().toISOString().slice(0, 10)} on ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}, ${RUNS} interleaved runs (median, min–max).`,
      "",
      "| | binary size | spawn → first 200 |",
      "|---|---|---|",
      `| baseline: compiled \`Bun.serve\` hello | ${(baseSize / 1e6).toFixed(1)} MB | ${fmt(base)} |`,
      `| PC2 restart (existing data dir) | ${(size / 1e6).toFixed(1)} MB | ${fmt(restart)} |`,
      `| PC2 first start (creates identity, database) | | ${fmt(first)} |`,
      "",
      "",
      "| after a restart | PC2 | goal |",
      "|---|---|---|",
      `| restart → first 200 / baseline | **${ratio.toFixed(2)}×** | ≤ 2.5× → **${ratio <= 2.5 ? "met" : "missed"}** |`,
      `| a WASM run right after the first 200 (starts its sandbox) | ${fmt(wasmAfter)}; the next run ${fmt(wasmWarm)} | ≤ 60 ms → **${median(wasmAfter) <= 60 ? "met" : "missed"}** |`,
      `| the first 1 KiB write after a restart (starts the IPFS worker) | ${fmt(writeAfter)}; the next write ${fmt(writeWarm)} | — |`,
      `| idle RSS, whole process tree, 3 s after start | ${parts(idle)} (the hello: ${mib(helloIdle.bytes)}) | ≤ 60 MiB → **${idle.bytes <= 60 * 1024 * 1024 ? "met" : "missed"}** |`,
      `| idle RSS after use: a WASM run and a file write (${mib(busy.bytes)} in ${processes(busy.processes)}), then the sandbox's and the IPFS worker's idle time (5 s here, \`PC2_WASM_IDLE_SECONDS\`, \`PC2_IPFS_IDLE_SECONDS\`) | ${parts(idleAfterUse)} | ≤ 60 MiB → **${idleAfterUse.bytes <= 60 * 1024 * 1024 ? "met" : "missed"}** |`,
      "",
      `PC2 adds ${((size - baseSize) / 1e6).toFixed(1)} MB to the Bun runtime.`,
    ].join("\n");
    console.log(table);
    if (process.argv.includes("--write")) writeSection("startup", table);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
