// Files benchmark: writes and downloads through a running node against raw disk baselines measured
// in the same run on the same disk (write + fsync + sha256; plain streamed read), at 1 KiB, 10 MiB,
// 100 MiB and 256 MiB, as the client sees them and as the node reports them (Server-Timing). Large
// uploads also against a bare Bun HTTP server that does only write + fsync + sha256 of the body, and
// small writes against the same server doing only a small write's durable steps (temp file, fsync,
// rename, folder fsync; bare-upload-server.ts): what any upload over HTTP costs here. Each figure is the median of
// BENCH_ROUNDS rounds with their min–max. `--write` records docs/performance.md.
import { createHash } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signIn, startNode } from "./bench-node.ts";
import { writeSection } from "./sections.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SMALL = Number(process.env.BENCH_SMALL_FILES ?? 300);
const MIB = 1024 * 1024;
const SIZES = (process.env.BENCH_SIZES_MIB ?? "10,100,256").split(",").map((s) => Number(s) * MIB);
/** Concurrent clients writing 1 KiB files, and how many each writes per round. */
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const PER_CLIENT = Number(process.env.BENCH_WRITES_PER_CLIENT ?? 40);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const median = (xs: number[]) => pct(xs, 50);
const mibs = (bytes: number, ms: number) => bytes / MIB / (ms / 1000);
/** "median (min–max)" of one figure over the rounds. */
const spread = (xs: number[], digits = 0) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

function pattern(size: number, seed: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) b[i] = (i / 4096 + seed) & 0xff;
  return b;
}

/** Raw baseline: write + fsync + sha256, the minimum any durable, content-addressed store must do. */
function rawWrite(path: string, bytes: Uint8Array): number {
  const t = performance.now();
  const fd = openSync(path, "w");
  writeSync(fd, bytes);
  fsyncSync(fd);
  closeSync(fd);
  createHash("sha256").update(bytes).digest();
  return performance.now() - t;
}

interface Timed {
  /** As the client saw it, from sending to the whole answer. */
  client: number;
  /** The node's own time (its Server-Timing header). */
  node: number;
}

async function timedRequest(url: string, init: RequestInit, ok: number[]): Promise<Timed> {
  const t = performance.now();
  const res = await fetch(url, init);
  if (!ok.includes(res.status)) throw new Error(`${init.method} ${url}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
  return { client: performance.now() - t, node: Number(/dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "")?.[1] ?? Number.NaN) };
}

/** The PC2 upload (`POST /write`, multipart), its body assembled before the clock starts (a Blob of the parts: no copy). */
function post(url: string, auth: Record<string, string>, dir: string, name: string, bytes: Uint8Array): Promise<Timed> {
  const boundary = `pc2bench${crypto.randomUUID().replaceAll("-", "")}`;
  const field = (k: string, v: string) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  const head = `${field("path", dir)}${field("name", name)}${field("overwrite", "true")}--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: application/octet-stream\r\n\r\n`;
  const body = new Blob([head, bytes as Uint8Array<ArrayBuffer>, `\r\n--${boundary}--\r\n`]);
  return timedRequest(`${url}/write`, { method: "POST", headers: { ...auth, "content-type": `multipart/form-data; boundary=${boundary}` }, body }, [200]);
}

/** A raw `PUT` of the bytes (WebDAV): no multipart to parse. */
function put(url: string, dav: Record<string, string>, path: string, bytes: Uint8Array): Promise<Timed> {
  return timedRequest(`${url}/dav/${path}`, { method: "PUT", headers: dav, body: new Blob([bytes as Uint8Array<ArrayBuffer>]) }, [201, 204]);
}

/** A small write to the bare server, its durable steps only (`PUT /durable`). */
function bareDurable(url: string, bytes: Uint8Array): Promise<Timed> {
  return timedRequest(`${url}/durable`, { method: "PUT", body: new Blob([bytes as Uint8Array<ArrayBuffer>]) }, [201]);
}

/** bare-upload-server.ts in its own process; resolves to its URL and a stop. */
async function startBareServer(dir: string): Promise<{ url: string; stop: () => void }> {
  mkdirSync(dir, { recursive: true });
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "bare-upload-server.ts"), dir], { stdout: "pipe", stderr: "inherit" });
  let out = "";
  const reader = proc.stdout.getReader();
  while (!/listening (\d+)/.test(out)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`bare upload server exited: ${out}`);
    out += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return { url: `http://127.0.0.1:${/listening (\d+)/.exec(out)![1]}`, stop: () => proc.kill() };
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), "pc2-bench-files-"));
  const node = await startNode(join(work, "node"));
  const bare = await startBareServer(join(work, "bare"));
  try {
    const auth = await signIn(node.url, node.code);
    const tokenRes = await fetch(`${node.url}/api/tokens`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name: "bench", scopes: ["files:read", "files:write"] }),
    });
    const dav = { authorization: `Basic ${Buffer.from(`bench:${((await tokenRes.json()) as { token: string }).token}`).toString("base64")}` };
    await fetch(`${node.url}/mkdir`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ path: "~/bench" }) });
    const small = pattern(1024, 1);
    const large = new Map(SIZES.map((size, i) => [size, pattern(size, i + 2)]));

    // Per round: one figure per measure (p50/p99 for small writes, a time for each large transfer).
    const smallRaw: number[][] = [];
    const smallPc2: Timed[][] = [];
    const smallBare: number[][] = [];
    const big = new Map(SIZES.map((s) => [s, { raw: [] as number[], bare: [] as number[], post: [] as Timed[], put: [] as Timed[] }]));
    const reads = { raw: [] as number[], pc2: [] as number[] };
    const together = { rate: [] as number[], p99: [] as number[] };
    const togetherBare = { rate: [] as number[], p99: [] as number[] };
    const readSize = Math.max(...SIZES);

    for (let round = 0; round < ROUNDS; round++) {
      // Small files: raw and PC2 alternate, so machine noise hits both alike.
      const raw: number[] = [];
      const pc2: Timed[] = [];
      const bareSmall: number[] = [];
      for (let i = 0; i < SMALL; i++) {
        raw.push(rawWrite(join(work, `raw-${i}`), small));
        small[0] = i & 0xff;
        small[1] = (i >> 8) & 0xff;
        small[2] = round;
        bareSmall.push((await bareDurable(bare.url, small)).client);
        pc2.push(await post(node.url, auth, "~/bench", `r${round}-f${i}.bin`, small));
      }
      smallRaw.push(raw);
      smallPc2.push(pc2);
      smallBare.push(bareSmall);
      // Many clients at once, each writing its own files one after another: the bare server, then PC2.
      for (const [into, write] of [
        [togetherBare, (_c: number, _i: number, bytes: Uint8Array) => bareDurable(bare.url, bytes)],
        [together, (c: number, i: number, bytes: Uint8Array) => post(node.url, auth, "~/bench", `r${round}-c${c}-${i}.bin`, bytes)],
      ] as const) {
        const latencies: number[] = [];
        const started = performance.now();
        await Promise.all(
          Array.from({ length: CLIENTS }, async (_, c) => {
            const bytes = pattern(1024, 1000 + c);
            for (let i = 0; i < PER_CLIENT; i++) {
              bytes[1] = i;
              bytes[2] = round;
              latencies.push((await write(c, i, bytes)).client);
            }
          }),
        );
        into.rate.push((CLIENTS * PER_CLIENT) / ((performance.now() - started) / 1000));
        into.p99.push(pct(latencies, 99));
      }
      for (const size of SIZES) {
        const bytes = large.get(size)!;
        const b = big.get(size)!;
        b.raw.push(rawWrite(join(work, "raw-large"), bytes));
        b.bare.push((await timedRequest(`${bare.url}/`, { method: "PUT", body: new Blob([bytes as Uint8Array<ArrayBuffer>]) }, [201])).client);
        b.post.push(await post(node.url, auth, "~", `large-${size}.bin`, bytes));
        b.put.push(await put(node.url, dav, `put-${size}.bin`, bytes));
      }
      // Plain read vs download, both streamed and consumed by the same loop (from page cache).
      const consume = async (stream: ReadableStream<Uint8Array>) => {
        let n = 0;
        for await (const c of stream as unknown as AsyncIterable<Uint8Array>) n += c.byteLength;
        if (n !== readSize) throw new Error("size mismatch");
      };
      rawWrite(join(work, "raw-read"), large.get(readSize)!);
      let t = performance.now();
      await consume(Bun.file(join(work, "raw-read")).stream());
      reads.raw.push(performance.now() - t);
      t = performance.now();
      await consume((await fetch(`${node.url}/read?file=${encodeURIComponent(`~/large-${readSize}.bin`)}`, { headers: auth })).body!);
      reads.pc2.push(performance.now() - t);
    }

    // Metadata latency on the folder of small files.
    const timed = async (path: string, body: unknown, n: number) => {
      const xs: number[] = [];
      for (let i = 0; i < n; i++)
        xs.push((await timedRequest(node.url + path, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(body) }, [200])).client);
      return xs;
    };
    const stat = await timed("/stat", { path: "~/bench/r0-f100.bin" }, 500);
    const readdir = await timed("/fs/readdir", { path: "~/bench" }, 100);

    const f1 = (x: number) => x.toFixed(1);
    const perRound = <T>(rows: T[][], f: (xs: T[]) => number) => rows.map(f);
    const rawP50 = perRound(smallRaw, (xs) => pct(xs, 50));
    const nodeP50 = perRound(smallPc2, (xs) =>
      pct(
        xs.map((x) => x.node),
        50,
      ),
    );
    const clientP50 = perRound(smallPc2, (xs) =>
      pct(
        xs.map((x) => x.client),
        50,
      ),
    );
    const clientP99 = perRound(smallPc2, (xs) =>
      pct(
        xs.map((x) => x.client),
        99,
      ),
    );
    const smallRatio = clientP50.map((c, i) => c / rawP50[i]!);
    const bareP50 = perRound(smallBare, (xs) => pct(xs, 50));
    const ofBareSmall = clientP50.map((c, i) => c / bareP50[i]!);
    const ofBareRate = together.rate.map((r, i) => (r / togetherBare.rate[i]!) * 100);
    const rows = [
      `| ${SMALL} × 1 KiB \`POST /write\`, p50 | ${spread(rawP50, 2)} ms | ${spread(clientP50, 2)} ms (p99 ${spread(clientP99, 1)}) | ${spread(nodeP50, 2)} ms | **${spread(smallRatio, 1)}×** | durable steps: ${spread(bareP50, 2)} ms; PC2 at ${spread(ofBareSmall, 1)}× | ≤ 3× → **${median(smallRatio) <= 3 ? "met" : "missed"}** |`,
    ];
    rows.push(
      `| ${CLIENTS} clients × 1 KiB \`POST /write\` at once | | ${spread(together.rate)} writes/s, p99 ${spread(together.p99, 1)} ms | | | durable steps: ${spread(togetherBare.rate)} writes/s, p99 ${spread(togetherBare.p99, 1)} ms; PC2 at ${spread(ofBareRate)}% | ≥ 3,000/s and p99 ≤ 50 ms → **${median(together.rate) >= 3000 && median(together.p99) <= 50 ? "met" : "missed"}** |`,
    );
    for (const size of SIZES) {
      const b = big.get(size)!;
      const rate = (ms: number[]) => ms.map((m) => mibs(size, m));
      const share = (ms: number[]) => ms.map((m, i) => (b.raw[i]! / m) * 100);
      const ofBare = (ms: number[]) => ms.map((m, i) => (b.bare[i]! / m) * 100);
      const goal = size <= 10 * MIB ? 60 : size <= 100 * MIB ? 80 : null;
      for (const [label, xs] of [
        ["`POST /write` (multipart)", b.post],
        ["`PUT /dav/…` (raw body)", b.put],
      ] as const) {
        const client = xs.map((x) => x.client);
        const verdict = goal === null ? "" : `≥ ${goal}% → **${median(share(client)) >= goal ? "met" : "missed"}**`;
        rows.push(
          `| ${size / MIB} MiB ${label} | ${spread(rate(b.raw))} MiB/s | ${spread(rate(client))} MiB/s | ${spread(rate(xs.map((x) => x.node)))} MiB/s | ${spread(share(client))}% | ${spread(rate(b.bare))} MiB/s: PC2 at ${spread(ofBare(client))}% | ${verdict} |`,
        );
      }
    }
    const downShare = reads.pc2.map((m, i) => (reads.raw[i]! / m) * 100);
    rows.push(
      `| ${readSize / MIB} MiB download (\`GET /read\`) | ${spread(reads.raw.map((m) => mibs(readSize, m)))} MiB/s (streamed read) | ${spread(reads.pc2.map((m) => mibs(readSize, m)))} MiB/s | | ${spread(downShare)}% | | ≥ 70% → **${median(downShare) >= 70 ? "met" : "missed"}** |`,
    );
    const table = [
      `Measured ${new Date().toISOString().slice(0, 10)} on ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}; node from source over loopback HTTP; same disk for both sides; median (min–max) of ${ROUNDS} rounds.`,
      "",
      "| | raw: write+fsync+sha256 | PC2, client | PC2, node (Server-Timing) | client / raw | bare Bun server: PUT → write+fsync+sha256 (1 KiB: + rename + folder fsync) | goal |",
      "|---|---|---|---|---|---|---|",
      ...rows,
      "",
      `\`/stat\` in a ${SMALL * ROUNDS}-entry folder: p50 ${f1(pct(stat, 50))} ms, p99 ${f1(pct(stat, 99))} ms; \`/fs/readdir\` of it: p50 ${f1(pct(readdir, 50))} ms, p99 ${f1(pct(readdir, 99))} ms (client).`,
    ].join("\n");
    console.log(table);
    if (process.argv.includes("--write")) writeSection("files", table);
  } finally {
    bare.stop();
    await node.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
