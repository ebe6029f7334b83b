// HTTPS against plain HTTP on the same node (one data dir, the node restarted in each mode, rounds
// alternating so machine noise hits both alike): download throughput of a 256 MiB file (curl as the
// client, as a browser's native TLS would be), the p50 of a small request on a kept-alive
// connection, and the time to a new connection (TCP, then TCP + TLS 1.3 handshake). A third column,
// Bun's own ceiling: a minimal Bun server sending the same file over TLS with the same certificate.
// Client and node share this machine's cores. `--write` records docs/performance.md.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { signIn, startNode } from "./bench-node.ts";
import { writeSection } from "./sections.ts";

const MIB = 1024 * 1024;
const LARGE = Number(process.env.BENCH_TLS_MIB ?? 256) * MIB;
const ROUNDS = Number(process.env.BENCH_TLS_ROUNDS ?? 3);
const SMALL = 2000;
const CONNECTS = 300;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const median = (xs: number[]) => pct(xs, 50);
const f2 = (x: number) => x.toFixed(2);

interface Sample {
  mibps: number;
  smallP50: number;
  connectP50: number;
}

/** curl downloads `url` (trusting exactly `ca`): best of two after a warm-up, MiB/s. */
async function downloadSpeed(url: string, auth: Record<string, string>, ca: string | null): Promise<number> {
  const caFile = join(tmpdir(), `pc2-bench-ca-${process.pid}.pem`);
  if (ca) writeFileSync(caFile, ca);
  const once = () => {
    const args = ["curl", "-s", "-o", "/dev/null", "-w", "%{size_download} %{speed_download}", ...Object.entries(auth).flatMap(([k, v]) => ["-H", `${k}: ${v}`])];
    if (ca) args.push("--cacert", caFile, "--resolve", `localhost:${new URL(url).port}:127.0.0.1`);
    const r = Bun.spawnSync([...args, ca ? url.replace("127.0.0.1", "localhost") : url]);
    const [size, speed] = r.stdout.toString().split(" ").map(Number);
    if (size !== LARGE) throw new Error(`download of ${url} got ${size} bytes: ${r.stderr.toString()}`);
    return speed! / MIB;
  };
  once();
  return Math.max(once(), once());
}

/** Bun's own HTTPS ceiling on this machine: a minimal server sending the same file. */
async function ceiling(file: string, certFile: string, keyFile: string): Promise<number> {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "tls-ceiling-server.ts")], { env: { ...process.env, BENCH_FILE: file, BENCH_CERT: certFile, BENCH_KEY: keyFile }, stdout: "pipe" });
  try {
    const reader = proc.stdout.getReader();
    const port = Number(new TextDecoder().decode((await reader.read()).value).trim());
    return await downloadSpeed(`https://127.0.0.1:${port}/`, {}, readFileSync(certFile, "utf8"));
  } finally {
    proc.kill();
    await proc.exited;
  }
}

async function measure(url: string, auth: Record<string, string>, ca: string | null): Promise<Sample> {
  const opts = (init: RequestInit = {}) => ({ ...init, headers: auth, ...(ca ? { tls: { ca } } : {}) }) as RequestInit;
  const { hostname, port } = new URL(url);
  const mibps = await downloadSpeed(`${url}/read?file=${encodeURIComponent("~/large.bin")}`, auth, ca);

  // Small requests on one kept-alive connection (fetch reuses it).
  const small: number[] = [];
  for (let i = 0; i < SMALL; i++) {
    const t = performance.now();
    await (await fetch(`${url}/api/info`, opts())).arrayBuffer();
    small.push(performance.now() - t);
  }

  // A new connection each time: TCP connect, or TCP connect + TLS handshake.
  const connects: number[] = [];
  for (let i = 0; i < CONNECTS; i++) {
    const t = performance.now();
    await new Promise<void>((resolve, reject) => {
      const s = ca
        ? tlsConnect({ host: hostname, port: Number(port), ca, servername: "localhost", minVersion: "TLSv1.3" }, () => {
            connects.push(performance.now() - t);
            s.destroy();
            resolve();
          })
        : tcpConnect({ host: hostname, port: Number(port) }, () => {
            connects.push(performance.now() - t);
            s.destroy();
            resolve();
          });
      s.on("error", reject);
    });
  }
  return { mibps, smallP50: median(small.slice(100)), connectP50: median(connects) };
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), "pc2-bench-tls-"));
  const dataDir = join(work, "node");
  const plain: Sample[] = [];
  const tls: Sample[] = [];
  const bunTls: number[] = [];
  let auth: Record<string, string> = {};
  try {
    // First start: claim the node and upload the file over plain HTTP on loopback.
    const first = await startNode(dataDir, { PC2_TLS_MODE: "off" });
    auth = await signIn(first.url, first.code);
    const fd = new FormData();
    fd.append("path", "~");
    fd.append("name", "large.bin");
    fd.append("file", new Blob([new Uint8Array(LARGE).fill(7)]), "large.bin");
    const up = await fetch(`${first.url}/write`, { method: "POST", headers: auth, body: fd });
    if (up.status !== 200) throw new Error(`upload failed: ${up.status}`);
    await first.stop();

    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of ["off", "self-signed"] as const) {
        const node = await startNode(dataDir, { PC2_TLS_MODE: mode });
        try {
          const ca = mode === "off" ? null : readFileSync(join(dataDir, "tls", "self-signed", "cert.pem"), "utf8");
          const s = await measure(node.url, auth, ca);
          (mode === "off" ? plain : tls).push(s);
          if (mode !== "off") {
            const blob = Bun.spawnSync(["find", join(dataDir, "files"), "-type", "f", "-size", `${LARGE / 1024}k`])
              .stdout.toString()
              .trim()
              .split("\n")[0]!;
            bunTls.push(await ceiling(blob, join(dataDir, "tls", "self-signed", "cert.pem"), join(dataDir, "tls", "self-signed", "key.pem")));
          }
          console.log(
            `round ${r + 1} ${mode === "off" ? "HTTP " : "HTTPS"}: ${s.mibps.toFixed(0)} MiB/s${mode === "off" ? "" : ` (Bun's ceiling ${bunTls.at(-1)!.toFixed(0)} MiB/s)`}, small p50 ${f2(s.smallP50)} ms, new connection p50 ${f2(s.connectP50)} ms`,
          );
        } finally {
          await node.stop();
        }
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const m = (xs: Sample[], k: keyof Sample) => median(xs.map((x) => x[k]));
  const ratio = m(tls, "mibps") / m(plain, "mibps");
  const overhead = m(tls, "smallP50") - m(plain, "smallP50");
  const table = [
    `Median of ${ROUNDS} alternating rounds; ${LARGE / MIB} MiB download by curl (best of two after a warm-up), ${SMALL} \`GET /api/info\` by fetch on one kept-alive connection, ${CONNECTS} new connections. Client and node share the machine.`,
    "",
    "| | plain HTTP | HTTPS (TLS 1.3, self-signed P-256) | ratio / overhead | goal |",
    "|---|---|---|---|---|",
    `| download (curl) | ${m(plain, "mibps").toFixed(0)} MiB/s | ${m(tls, "mibps").toFixed(0)} MiB/s | ${(ratio * 100).toFixed(0)}% | ≥ 80%: **${ratio >= 0.8 ? "met" : "missed"}** |`,
    `| Bun's HTTPS ceiling: a minimal Bun server, same file and certificate | | ${median(bunTls).toFixed(0)} MiB/s | node at ${((m(tls, "mibps") / median(bunTls)) * 100).toFixed(0)}% of it | |`,
    `| small request p50, kept alive | ${f2(m(plain, "smallP50"))} ms | ${f2(m(tls, "smallP50"))} ms | +${f2(overhead)} ms | ≤ 1 ms: **${overhead <= 1 ? "met" : "missed"}** |`,
    `| new connection p50 (TCP / TCP + handshake) | ${f2(m(plain, "connectP50"))} ms | ${f2(m(tls, "connectP50"))} ms | +${f2(m(tls, "connectP50") - m(plain, "connectP50"))} ms | |`,
  ].join("\n");
  console.log(`\n${table}`);
  if (process.argv.includes("--write")) writeSection("tls", table);
}

await main();
