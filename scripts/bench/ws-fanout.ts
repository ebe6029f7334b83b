// WebSocket fan-out at scale: 10,000 authenticated sockets of one wallet, opened by 4 client
// processes, all subscribed to the files topic; a file written for that wallet must reach every
// socket. Measured from the write request to each socket's receipt (p50, p99, the last), 5 rounds.
// And the cost of a publish for someone else: another wallet's single socket, its event latency
// with no other sockets open and with the 10,000 open (the hub indexes subscribers by wallet, so
// the second should not grow with the crowd).
// Goal (issue 22): event to 10,000 sockets, p99 ≤ 50 ms. `--write` records docs/performance.md.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { signIn, startNode } from "./bench-node.ts";
import { writeSection } from "./sections.ts";

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 10_000);
const PROCESSES = 4;
const ROUNDS = 5;
const now = () => performance.timeOrigin + performance.now();
/** CPU time a process has used so far, all its threads, user and kernel (ms; /proc/<pid>/task/<tid>/schedstat). */
function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return ns / 1e6;
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

async function write(url: string, auth: Record<string, string>, name: string): Promise<void> {
  const form = new FormData();
  form.append("path", "~/Documents");
  form.append("file", new Blob([name]), name);
  const res = await fetch(`${url}/write`, { method: "POST", headers: auth, body: form });
  if (res.status !== 200) throw new Error(`write failed: ${res.status}`);
  await res.arrayBuffer();
}

/** Latency of one wallet's event to its own single socket, `rounds` times. */
async function single(url: string, token: string, auth: Record<string, string>, tag: string, rounds: number): Promise<number[]> {
  const ws = new WebSocket(url.replace("http", "ws") + "/ws", { headers: { authorization: `Bearer ${token}` } } as unknown as string[]);
  const waiters = new Map<string, (at: number) => void>();
  await new Promise<void>((resolve) => {
    ws.onmessage = (e) => {
      const msg = JSON.parse(String(e.data)) as { id?: number; method?: string; params?: { name?: string } };
      if (msg.id === 1) resolve();
      if (msg.method === "item.added" && msg.params?.name) waiters.get(msg.params.name)?.(now());
    };
    ws.onopen = () => ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "rpc.subscribe", params: { topics: ["files"] } }));
  });
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const name = `${tag}-${i}`;
    const got = new Promise<number>((resolve) => waiters.set(name, resolve));
    const started = now();
    await write(url, auth, name);
    out.push((await got) - started);
  }
  ws.close();
  return out;
}

async function main() {
  const data = mkdtempSync(join(tmpdir(), "pc2-bench-ws-"));
  const node = await startNode(data, { PC2_NETWORK_BOOTSTRAP: "none", PC2_WS_MAX_CONNECTIONS_PER_USER: String(SOCKETS) });
  const children: ReturnType<typeof Bun.spawn>[] = [];
  try {
    const auth = await signIn(node.url, node.code);
    const crowdToken = auth.authorization!.slice("Bearer ".length);
    // Another wallet, with one socket of its own.
    const other = Wallet.createRandom();
    await fetch(`${node.url}/api/users`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ address: other.address, role: "member" }) });
    const post = (path: string, body: unknown) => fetch(node.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const { message } = await (await post("/api/auth/challenge", { address: other.address })).json();
    const { token: otherToken } = await (await post("/api/auth/login", { message, signature: await other.signMessage(message) })).json();
    const otherAuth = { authorization: `Bearer ${otherToken}` };
    // The first writes start the IPFS worker and warm the paths: not what is measured.
    await single(node.url, otherToken, otherAuth, "warm-up", 5);
    const alone = await single(node.url, otherToken, otherAuth, "alone", 20);

    const lines: AsyncIterator<string>[] = [];
    for (let p = 0; p < PROCESSES; p++) {
      const child = Bun.spawn([process.execPath, join(import.meta.dir, "ws-fanout-client.ts"), node.url.replace("http", "ws") + "/ws", crowdToken, String(SOCKETS / PROCESSES)], {
        stdout: "pipe",
        stderr: "inherit",
      });
      children.push(child);
      const decoder = new TextDecoder();
      lines.push(
        (async function* () {
          let buf = "";
          for await (const chunk of child.stdout as unknown as AsyncIterable<Uint8Array>) {
            buf += decoder.decode(chunk);
            let i: number;
            while ((i = buf.indexOf("\n")) >= 0) {
              yield buf.slice(0, i);
              buf = buf.slice(i + 1);
            }
          }
        })(),
      );
    }
    const next = async (it: AsyncIterator<string>) => (await it.next()).value as string;
    for (const it of lines) if ((await next(it)) !== "ready") throw new Error("a load process did not get ready");

    const latencies: number[] = [];
    const lasts: number[] = [];
    const nodeCpu: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const cpuBefore = cpuMs(node.pid);
      const started = now();
      await write(node.url, auth, `fanout-${r}`);
      const round: number[] = [];
      for (const it of lines) {
        const line = await next(it);
        if (!line.startsWith(`got ${r} `)) throw new Error(`unexpected: ${line.slice(0, 80)}`);
        for (const at of JSON.parse(line.slice(`got ${r} `.length)) as number[]) round.push(at - started);
      }
      latencies.push(...round);
      lasts.push(Math.max(...round));
      nodeCpu.push(cpuMs(node.pid) - cpuBefore);
    }
    const crowded = await single(node.url, otherToken, otherAuth, "crowded", 20);

    const f = (x: number) => x.toFixed(1);
    const table = [
      `WebSocket fan-out: ${SOCKETS.toLocaleString("en")} sockets of one wallet from ${PROCESSES} client processes, ${ROUNDS} file events (from the write request to each socket's receipt):`,
      "",
      "| measure | p50 | p99 | goal |",
      "|---|---|---|---|",
      `| an event to all ${SOCKETS.toLocaleString("en")} sockets, per socket | ${f(pct(latencies, 50))} ms | ${f(pct(latencies, 99))} ms | p99 ≤ 50 ms ${pct(latencies, 99) <= 50 ? "✓" : "✗"} |`,
      `| the last socket to get it, per event | ${f(pct(lasts, 50))} ms | ${f(Math.max(...lasts))} ms (max) | — |`,
      `| the node's CPU time per event (all its threads, user + kernel: the write, the publish and its ${SOCKETS.toLocaleString("en")} sends over loopback) | ${f(pct(nodeCpu, 50))} ms | ${f(Math.max(...nodeCpu))} ms (max) | — |`,
      `| another wallet's event to its one socket, nothing else open | ${f(pct(alone, 50))} ms | ${f(pct(alone, 99))} ms | — |`,
      `| the same, with the ${SOCKETS.toLocaleString("en")} sockets open | ${f(pct(crowded, 50))} ms | ${f(pct(crowded, 99))} ms | not growing with the crowd |`,
    ].join("\n");
    console.log(table);
    if (process.argv.includes("--write")) writeSection("ws-fanout", table);
  } finally {
    for (const c of children) c.kill();
    await node.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

await main();
