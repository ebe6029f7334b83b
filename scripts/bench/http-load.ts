// A closed-loop HTTP load client, run as its own process so that it never shares the event loop of
// what it measures: `bun scripts/bench/http-load.ts <url> <concurrency> <seconds>` prints one JSON
// line { requests, errors, perSecond, p50, p99 } (latencies in ms).
const [url, concurrency = "32", seconds = "4"] = process.argv.slice(2);
if (!url) throw new Error("usage: http-load.ts <url> <concurrency> <seconds>");
const until = performance.now() + Number(seconds) * 1000;
const latencies: number[] = [];
let errors = 0;
async function client(): Promise<void> {
  while (performance.now() < until) {
    const started = performance.now();
    try {
      const res = await fetch(url!);
      await res.arrayBuffer();
      if (res.status !== 200) errors++;
      else latencies.push(performance.now() - started);
    } catch {
      errors++;
    }
  }
}
const began = performance.now();
await Promise.all(Array.from({ length: Number(concurrency) }, client));
const elapsed = (performance.now() - began) / 1000;
latencies.sort((a, b) => a - b);
const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? NaN;
console.log(JSON.stringify({ requests: latencies.length, errors, perSecond: latencies.length / elapsed, p50: at(50), p99: at(99) }));

export {};
