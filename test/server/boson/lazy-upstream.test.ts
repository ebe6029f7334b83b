// The relayed connection's local end that connects on the client's first bytes: it goes where the
// first bytes say, passes both directions through with backpressure, and never loses the end of a
// response when the server closes while the reader is still behind.
import { afterAll, expect, test } from "bun:test";
import { createServer, type Server, type Socket } from "node:net";
import { LazyUpstream } from "../../../server/boson/active-proxy/lazy-upstream.ts";

const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

async function listen(onConnection: (socket: Socket) => void): Promise<number> {
  const s = createServer(onConnection);
  servers.push(s);
  await new Promise<void>((ok) => s.listen(0, "127.0.0.1", ok));
  return (s.address() as { port: number }).port;
}

test("the first bytes choose the target; both directions pass", async () => {
  const tlsPort = await listen((s) => s.on("data", (d: Buffer) => s.write(`tls:${d.toString("latin1")}`)));
  const plainPort = await listen((s) => s.on("data", (d: Buffer) => s.write(`plain:${d.toString("latin1")}`)));
  const connected: number[] = [];
  const pick = (first: Uint8Array) => ({ host: "127.0.0.1", port: first[0] === 0x16 ? tlsPort : plainPort });
  for (const [first, want] of [
    ["\x16hello", "tls:\x16hello"],
    ["GET /", "plain:GET /"],
  ] as const) {
    const up = new LazyUpstream(pick, (socket) => connected.push(socket.localPort!));
    const got = new Promise<string>((ok) => up.once("data", (d: Buffer) => ok(d.toString("latin1"))));
    up.write(Buffer.from(first, "latin1"));
    expect(await got).toBe(want);
    up.destroy();
  }
  expect(connected).toHaveLength(2);
});

test("a server that sends 8 MiB and closes at once: a slow reader still gets every byte, then the end", async () => {
  const SIZE = 8 * 1024 * 1024;
  const port = await listen((s) => {
    s.once("data", () => s.end(Buffer.alloc(SIZE, 7)));
  });
  const up = new LazyUpstream(
    () => ({ host: "127.0.0.1", port }),
    () => {},
  );
  up.write(Buffer.from("go"));
  let n = 0;
  let ended = false;
  up.on("end", () => (ended = true));
  // Read in bursts with pauses, as a relay whose tunnel is full does.
  up.on("data", (d: Buffer) => {
    n += d.length;
    up.pause();
    setTimeout(() => up.resume(), 1);
  });
  for (let i = 0; i < 400 && !ended; i++) await Bun.sleep(25);
  expect(n).toBe(SIZE);
  expect(ended).toBe(true);
}, 20_000);

test("a target that refuses: the stream errors and closes", async () => {
  const port = await listen(() => {});
  servers.at(-1)!.close();
  await Bun.sleep(50);
  const up = new LazyUpstream(
    () => ({ host: "127.0.0.1", port }),
    () => {},
  );
  const closed = new Promise<boolean>((ok) => {
    up.on("error", () => {});
    up.once("close", () => ok(true));
  });
  up.write(Buffer.from("x"));
  expect(await closed).toBe(true);
});
