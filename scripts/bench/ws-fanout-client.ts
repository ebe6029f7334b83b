// One process of the fan-out bench's load: `count` authenticated sockets to /ws, each subscribed to
// the files topic. Prints "ready" once all are subscribed; then, for each file event named
// fanout-<n>, prints "got <n> <epoch-ms receipt times as JSON>" once every socket has it.
// `bun scripts/bench/ws-fanout-client.ts <ws url> <token> <count>`
const [url, token, countArg] = process.argv.slice(2);
const count = Number(countArg);
const now = () => performance.timeOrigin + performance.now();
const received = new Map<string, number[]>();
let subscribed = 0;
for (let i = 0; i < count; i++) {
  const ws = new WebSocket(url!, { headers: { authorization: `Bearer ${token}` } } as unknown as string[]);
  ws.onopen = () => ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "rpc.subscribe", params: { topics: ["files"] } }));
  ws.onmessage = (e) => {
    const at = now();
    const text = String(e.data);
    // The load only reads what it needs (a full parse of 10,000 messages would be the load's cost, not the node's).
    if (text.startsWith('{"jsonrpc":"2.0","id":1,') && ++subscribed === count) console.log("ready");
    const name = /"name":"(fanout-\d+)"/.exec(text)?.[1];
    if (!name || !text.includes('"method":"item.added"')) return;
    const times = received.get(name) ?? [];
    times.push(at);
    received.set(name, times);
    if (times.length === count) console.log(`got ${name.slice("fanout-".length)} ${JSON.stringify(times)}`);
  };
  ws.onclose = (e) => console.error(`socket closed: ${e.code} ${e.reason}`);
  // Open them in waves: a burst of thousands of handshakes at once is not what is measured.
  if (i % 200 === 199) await Bun.sleep(20);
}
setInterval(() => undefined, 60_000);

export {};
