// Reading the server name from real ClientHellos, as openssl and curl send them: whole, byte by
// byte, split over several records, without SNI, and mangled (it must never throw).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createServer, type Server } from "node:net";
import { looksLikeTls, readClientHello } from "../../../server/gateway/tls-client-hello.ts";

let server: Server;
let port: number;
let next: ((b: Buffer) => void) | null = null;

beforeAll(async () => {
  // Takes the first flight of bytes of each connection, then hangs up.
  server = createServer((s) => {
    const chunks: Buffer[] = [];
    s.on("data", (c: Buffer) => {
      chunks.push(c);
      const all = Buffer.concat(chunks);
      if (readClientHello(all).state !== "partial" || all.length > 20_000) {
        next?.(all);
        s.destroy();
      }
    });
    s.on("error", () => {});
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  port = (server.address() as { port: number }).port;
});
afterAll(() => server.close());

async function capture(cmd: string[]): Promise<Buffer> {
  const got = new Promise<Buffer>((ok) => (next = ok));
  const proc = Bun.spawn(cmd, { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
  const hello = await got;
  proc.kill();
  await proc.exited;
  return hello;
}

const openssl = (...extra: string[]) => capture(["openssl", "s_client", "-connect", `127.0.0.1:${port}`, ...extra]);

test("the name in openssl's and curl's ClientHellos (TLS 1.3 and 1.2); none without SNI", async () => {
  const a = await openssl("-servername", "Alice.PC2.test");
  expect(looksLikeTls(a)).toBe(true);
  expect(readClientHello(a)).toEqual({ state: "ok", serverName: "alice.pc2.test" });
  expect(readClientHello(await openssl("-servername", "bob.pc2.test", "-tls1_2"))).toEqual({ state: "ok", serverName: "bob.pc2.test" });
  expect(readClientHello(await openssl("-noservername"))).toEqual({ state: "ok", serverName: null });
  const curl = await capture(["curl", "-sk", "--max-time", "5", "--resolve", `carol.pc2.test:${port}:127.0.0.1`, `https://carol.pc2.test:${port}/`]);
  expect(readClientHello(curl)).toEqual({ state: "ok", serverName: "carol.pc2.test" });
});

test("byte by byte: partial until the whole ClientHello is there; split over records: the same name", async () => {
  const hello = await openssl("-servername", "alice.pc2.test");
  for (let n = 0; n < hello.length; n++) expect(readClientHello(hello.subarray(0, n)).state).toBe("partial");
  // The same handshake message re-framed as three records, as a client with a large hello sends it.
  const body = hello.subarray(5, 5 + hello.readUInt16BE(3));
  const cuts = [0, 7, 200, body.length];
  const records = cuts.slice(1).map((end, i) => Buffer.concat([Buffer.from([0x16, 0x03, 0x01, (end - cuts[i]!) >> 8, (end - cuts[i]!) & 0xff]), body.subarray(cuts[i]!, end)]));
  const reframed = Buffer.concat(records);
  for (let n = 0; n < reframed.length; n++) expect(readClientHello(reframed.subarray(0, n)).state).toBe("partial");
  expect(readClientHello(reframed)).toEqual({ state: "ok", serverName: "alice.pc2.test" });
});

test("not TLS, and 20,000 mangled ClientHellos: a clear answer, never an exception", async () => {
  const http = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: alice.pc2.test\r\n\r\n");
  expect(looksLikeTls(http)).toBe(false);
  expect(readClientHello(http).state).toBe("invalid");
  const hello = await openssl("-servername", "alice.pc2.test");
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const states = new Set<string>();
  for (let i = 0; i < 20_000; i++) {
    const b = Buffer.from(hello);
    for (let k = 0, flips = 1 + Math.floor(rand() * 4); k < flips; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
    const cut = rand() < 0.2 ? b.subarray(0, Math.floor(rand() * b.length)) : b;
    const r = readClientHello(cut);
    states.add(r.state);
    if (r.state === "ok" && r.serverName !== null) expect(r.serverName).toMatch(/^[a-z0-9.-]{1,253}$/);
  }
  expect(states).toEqual(new Set(["ok", "invalid", "partial"]));
  // A huge declared ClientHello is refused, not waited for.
  expect(readClientHello(Uint8Array.of(0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0xff, 0xff, 0xff))).toEqual({ state: "invalid", reason: "ClientHello too large" });
});
