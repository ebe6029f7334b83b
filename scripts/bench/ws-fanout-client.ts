// One process of the fan-out bench's load: `count` authenticated sockets to /ws, each subscribed to
// the files topic. Prints "ready" once all are subscribed; then, for each file event named
// fanout-<n>, prints "got <n> <epoch-ms receipt times as JSON>" once every socket has it.
// `bun scripts/bench/ws-fanout-client.ts <ws url> <token> <count>`
const [url, token, countArg] = process.argv.slice(2);
const count = Number(countArg);
const now = () => performance.timeOrigin + performance.now();
const received = new Map<string, number[]>();
let subscribed = 0;
/**
 * Messages as they arrive: the handler keeps only the receipt time and the text, and they are read
 * once the burst is over — so a socket's receipt is stamped when its message reaches this process,
 * not after the load has parsed the thousands that came just before it (the load's own work).
 */
const arrived: { at: number; text: string }[] = [];
const QUIET_MS = 20;
let reading = false;
function readArrived(): void {
  if (now() - arrived.at(-1)!.at < QUIET_MS) return void setTimeout(readArrived, QUIET_MS);
  reading = false;
  for (const { at, text } of arrived.splice(0)) {
    if (text.startsWith('{"jsonrpc":"2.0","id":1,') && ++subscribed === count) console.log("ready");
    const name = /"name":"(fanout-\d+)"/.exec(text)?.[1];
    if (!name || !text.includes('"method":"item.added"')) continue;
    const times = received.get(name) ?? [];
    times.push(at);
    received.set(name, times);
    if (times.length === count) console.log(`got ${name.slice("fanout-".length)} ${JSON.stringify(times)}`);
  }
}
for (let i = 0; i < count; i++) {
  const ws = new WebSocket(url!, { headers: { authorization: `Bearer ${token}` } } as unknown as string[]);
  ws.onopen = () => ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "rpc.subscribe", params: { topics: ["files"] } }));
  ws.onmessage = (e) => {
    arrived.push({ at: now(), text: e.data as string });
    if (reading) return;
    reading = true;
    setTimeout(readArrived, QUIET_MS);
  };
  ws.onclose = (e) => console.error(`socket closed: ${e.code} ${e.reason}`);
  // Open them in waves: a burst of thousands of handshakes at once is not what is measured.
  if (i % 200 === 199) await Bun.sleep(20);
}
setInterval(() => undefined, 60_000);

export {};
