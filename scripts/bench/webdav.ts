// WebDAV against the node's own file API, in one run on one disk: a 100 MiB PUT beside a 100 MiB
// POST /write, a 100 MiB GET beside GET /read (3 alternating rounds, medians), the node's resident
// memory while the PUT streams (it must stay flat: nothing buffers the body), and PROPFIND depth 1
// of a 10,000-entry folder.
// Goals (issue 21): GET and PUT within 90% of /read and /write; that PROPFIND under 300 ms.
// `--write` records the table in docs/performance.md.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signIn, startNode } from "./bench-node.ts";
import { writeSection } from "./sections.ts";

const SIZE = Number(process.env.BENCH_DAV_MIB ?? 100) * 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ENTRIES = Number(process.env.BENCH_DAV_ENTRIES ?? 10_000);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mibs = (ms: number) => SIZE / 1024 / 1024 / (ms / 1000);
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

async function timed(run: () => Promise<Response>, expected: number[]): Promise<number> {
  const started = performance.now();
  const res = await run();
  // Read to the end (a download is timed until its last byte).
  if (res.body) for await (const _ of res.body as unknown as AsyncIterable<Uint8Array>);
  if (!expected.includes(res.status)) throw new Error(`answered ${res.status}`);
  return performance.now() - started;
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), "pc2-bench-dav-"));
  const node = await startNode(join(work, "node"), { PC2_NETWORK_BOOTSTRAP: "none" });
  try {
    const auth = await signIn(node.url, node.code);
    const tokenRes = await fetch(`${node.url}/api/tokens`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name: "bench", scopes: ["files:read", "files:write"] }),
    });
    const token = ((await tokenRes.json()) as { token: string }).token;
    const dav = { authorization: `Basic ${Buffer.from(`bench:${token}`).toString("base64")}` };
    const bytes = new Uint8Array(SIZE).map((_, i) => (i * 131) & 0xff);
    const blob = new Blob([bytes]);

    const writes: number[] = [];
    const puts: number[] = [];
    const reads: number[] = [];
    const gets: number[] = [];
    const growth = { native: 0, dav: 0 };
    /** Run an upload, noting how far the node's resident memory rose above where it started. */
    const watched = async (which: "native" | "dav", run: () => Promise<number>) => {
      const before = rssMiB(node.pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(node.pid))), 20);
      const ms = await run();
      clearInterval(sampler);
      growth[which] = Math.max(growth[which], peak - before);
      return ms;
    };
    for (let r = 0; r < ROUNDS; r++) {
      const form = new FormData();
      form.append("path", "~/Documents");
      form.append("overwrite", "true");
      form.append("file", blob, "native.bin");
      writes.push(await watched("native", () => timed(() => fetch(`${node.url}/write`, { method: "POST", headers: auth, body: form }), [200])));
      puts.push(await watched("dav", () => timed(() => fetch(`${node.url}/dav/Documents/dav.bin`, { method: "PUT", headers: dav, body: blob }), [201, 204])));
      reads.push(await timed(() => fetch(`${node.url}/read?file=${encodeURIComponent("~/Documents/native.bin")}`, { headers: auth }), [200]));
      gets.push(await timed(() => fetch(`${node.url}/dav/Documents/dav.bin`, { headers: dav }), [200]));
    }

    // A folder of ENTRIES members (folders: the index is what PROPFIND reads), made 16 at a time.
    await fetch(`${node.url}/dav/Documents/many/`, { method: "MKCOL", headers: dav });
    for (let i = 0; i < ENTRIES; i += 16)
      await Promise.all(
        Array.from({ length: Math.min(16, ENTRIES - i) }, (_, k) => fetch(`${node.url}/dav/Documents/many/entry-${i + k}`, { method: "MKCOL", headers: dav }).then((r) => r.arrayBuffer())),
      );
    const propfinds: number[] = [];
    for (let i = 0; i < 5; i++) propfinds.push(await timed(() => fetch(`${node.url}/dav/Documents/many/`, { method: "PROPFIND", headers: { ...dav, depth: "1" } }), [207]));

    const putRatio = median(writes) / median(puts);
    const getRatio = median(reads) / median(gets);
    const table = [
      `WebDAV beside the node's own file API, ${SIZE / 1024 / 1024} MiB, ${ROUNDS} alternating rounds (median, client-observed):`,
      "",
      "| measure | file API | WebDAV | WebDAV / file API | goal |",
      "|---|---|---|---|---|",
      `| upload (\`POST /write\` multipart; \`PUT\`) | ${mibs(median(writes)).toFixed(0)} MiB/s | ${mibs(median(puts)).toFixed(0)} MiB/s | ${(putRatio * 100).toFixed(0)}% | ≥ 90% ${putRatio >= 0.9 ? "✓" : "✗"} |`,
      `| download (\`GET /read\`; \`GET\`) | ${mibs(median(reads)).toFixed(0)} MiB/s | ${mibs(median(gets)).toFixed(0)} MiB/s | ${(getRatio * 100).toFixed(0)}% | ≥ 90% ${getRatio >= 0.9 ? "✓" : "✗"} |`,
      `| the node's resident memory during the upload, growth at peak | ${growth.native.toFixed(0)} MiB | ${growth.dav.toFixed(0)} MiB | — | flat (not the file's size) |`,
      `| \`PROPFIND\` depth 1 of a ${ENTRIES.toLocaleString("en")}-entry folder, median of 5 | — | ${median(propfinds).toFixed(0)} ms | — | < 300 ms ${median(propfinds) < 300 ? "✓" : "✗"} |`,
    ].join("\n");
    console.log(table);
    if (process.argv.includes("--write")) writeSection("webdav", table);
  } finally {
    await node.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
