// The benchmark's ceiling for HTTPS downloads: the least a Bun server can do — one file, served with
// Bun.file over TLS 1.3 with the node's certificate — in its own process, as the node is.
// Env: BENCH_FILE, BENCH_CERT, BENCH_KEY. Prints the port.
const file = process.env.BENCH_FILE!;
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  tls: { cert: await Bun.file(process.env.BENCH_CERT!).text(), key: await Bun.file(process.env.BENCH_KEY!).text() },
  fetch: () => new Response(Bun.file(file)),
});
console.log(server.port);

export {};
