// Files benchmark: uploads and downloads through a running node against raw disk baselines measured in
// the same run on the same disk (write + fsync + sha256; plain read). `--write` records docs/performance.md.
import { createHash } from "node:crypto";
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signIn, startNode } from "./bench-node.ts";
import { writeSection } from "./sections.ts";

const SMALL = Number(process.env.BENCH_SMALL_FILES ?? 1000);
const LARGE = Number(process.env.BENCH_LARGE_MIB ?? 256) * 1024 * 1024;
const CHUNK = 1024 * 1024;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const mibs = (bytes: number, ms: number) => bytes / 1024 / 1024 / (ms / 1000);

function pattern(size: number, seed: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) b[i] = (i / 4096 + seed) & 0xff;
  return b;
}

/** Raw baseline: write + fsync + sha256, the minimum any durable, content-addressed store must do. */
function rawWrite(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, "w");
  writeSync(fd, bytes);
  fsyncSync(fd);
  closeSync(fd);
  createHash("sha256").update(bytes).digest();
}

/** Uploads one file; returns the node's own processing time (its Server-Timing header), in ms. */
async function upload(url: string, auth: Record<string, string>, dir: string, name: string, bytes: Uint8Array): Promise<number> {
  const fd = new FormData();
  fd.append("path", dir);
  fd.append("name", name);
  fd.append("file", new Blob([bytes as Uint8Array<ArrayBuffer>]), name);
  const res = await fetch(`${url}/write`, { method: "POST", headers: auth, body: fd });
  if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
  return Number(/dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "")?.[1] ?? NaN);
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), "pc2-bench-files-"));
  const node = await startNode(join(work, "node"));
  try {
    const auth = await signIn(node.url, node.code);
    const small = pattern(1024, 1);
    const large = pattern(LARGE, 2);

    // Small files: raw vs PC2, interleaved in blocks so machine noise hits both alike.
    const rawSmall: number[] = [];
    const pc2Small: number[] = [];
    const nodeSmall: number[] = [];
    await fetch(`${node.url}/mkdir`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ path: "~/bench" }) });
    for (let i = 0; i < SMALL; i++) {
      let t = performance.now();
      rawWrite(join(work, `raw-${i}`), small);
      rawSmall.push(performance.now() - t);
      small[0] = i & 0xff;
      small[1] = i >> 8;
      t = performance.now();
      nodeSmall.push(await upload(node.url, auth, "~/bench", `f${i}.bin`, small));
      pc2Small.push(performance.now() - t);
    }

    // Large file: write + fsync + hash vs upload; plain read vs download.
    let t = performance.now();
    rawWrite(join(work, "raw-large"), large);
    const rawLargeMs = performance.now() - t;
    t = performance.now();
    const nodeLargeMs = await upload(node.url, auth, "~", "large.bin", large);
    const clientLargeMs = performance.now() - t;
    // Plain read vs download, both streamed and consumed by the same loop; a warm-up of each, then
    // the median of three interleaved runs (a read from page cache varies a lot from run to run).
    const consume = async (stream: ReadableStream<Uint8Array>) => {
      let n = 0;
      for await (const c of stream as unknown as AsyncIterable<Uint8Array>) n += c.byteLength;
      if (n !== LARGE) throw new Error("size mismatch");
    };
    const rawRead = () => consume(Bun.file(join(work, "raw-large")).stream());
    const download = async () => consume((await fetch(`${node.url}/read?file=${encodeURIComponent("~/large.bin")}`, { headers: auth })).body!);
    await rawRead();
    await download();
    const rawReads: number[] = [];
    const downloads: number[] = [];
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      await rawRead();
      rawReads.push(performance.now() - t);
      t = performance.now();
      await download();
      downloads.push(performance.now() - t);
    }
    const rawReadMs = pct(rawReads, 50);
    const pc2ReadMs = pct(downloads, 50);

    // Metadata latency on the 1,000-entry folder.
    const timed = async (path: string, body: unknown, n: number) => {
      const xs: number[] = [];
      for (let i = 0; i < n; i++) {
        const s = performance.now();
        const r = await fetch(node.url + path, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(body) });
        await r.arrayBuffer();
        xs.push(performance.now() - s);
      }
      return xs;
    };
    const stat = await timed("/stat", { path: "~/bench/f500.bin" }, 500);
    const readdir = await timed("/fs/readdir", { path: "~/bench" }, 100);

    const upRatio = mibs(LARGE, nodeLargeMs) / mibs(LARGE, rawLargeMs);
    const downRatio = mibs(LARGE, pc2ReadMs) / mibs(LARGE, rawReadMs);
    const smallP50 = pct(nodeSmall, 50);
    const f1 = (x: number) => x.toFixed(1);
    const table = [
      `Measured ${new Date().toISOString().slice(0, 10)} on ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}; node from source over loopback HTTP; same disk for both sides.`,
      "",
      "| | raw baseline | PC2 | PC2 / raw | goal |",
      "|---|---|---|---|---|",
      `| ${SMALL} × 1 KiB writes, p50 / p99 | ${f1(pct(rawSmall, 50))} / ${f1(pct(rawSmall, 99))} ms (write+fsync+sha256) | node: ${f1(smallP50)} / ${f1(pct(nodeSmall, 99))} ms; client: ${f1(pct(pc2Small, 50))} / ${f1(pct(pc2Small, 99))} ms (\`POST /write\`) | ${(smallP50 / pct(rawSmall, 50)).toFixed(1)}× | node p50 < 5 ms: **${smallP50 < 5 ? "met" : "missed"}** |`,
      `| ${LARGE / 1024 / 1024} MiB upload | ${mibs(LARGE, rawLargeMs).toFixed(0)} MiB/s (write+fsync+sha256) | node: ${mibs(LARGE, nodeLargeMs).toFixed(0)} MiB/s; client: ${mibs(LARGE, clientLargeMs).toFixed(0)} MiB/s | ${(upRatio * 100).toFixed(0)}% | node ≥ 50%: **${upRatio >= 0.5 ? "met" : "missed"}** |`,
      `| ${LARGE / 1024 / 1024} MiB download | ${mibs(LARGE, rawReadMs).toFixed(0)} MiB/s (plain streamed read) | ${mibs(LARGE, pc2ReadMs).toFixed(0)} MiB/s | ${(downRatio * 100).toFixed(0)}% | ≥ 70%: **${downRatio >= 0.7 ? "met" : "missed"}** |`,
      `| \`/stat\` in a ${SMALL}-entry folder, p50 / p99 | | ${f1(pct(stat, 50))} / ${f1(pct(stat, 99))} ms | | |`,
      `| \`/fs/readdir\` of that folder, p50 / p99 | | ${f1(pct(readdir, 50))} / ${f1(pct(readdir, 99))} ms | | |`,
    ].join("\n");
    console.log(table);
    if (process.argv.includes("--write")) writeSection("files", table);
  } finally {
    await node.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
