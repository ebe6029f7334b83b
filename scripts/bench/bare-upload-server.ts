// A second baseline for the files benchmark: the least an HTTP upload can cost on this machine — a
// bare Bun.serve that streams a PUT body to a file, fsyncs it and hashes it (SHA-256), nothing
// else. Started as its own process (as the node is); prints its port. `bun bare-upload-server.ts <dir>`.
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
if (!dir) throw new Error("usage: bare-upload-server.ts <dir>");
let n = 0;
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  maxRequestBodySize: 4 * 1024 * 1024 * 1024,
  async fetch(req) {
    if (req.method !== "PUT" || !req.body) return new Response("PUT a body", { status: 400 });
    const fd = openSync(join(dir, `upload-${n++}`), "w");
    const hash = new Bun.CryptoHasher("sha256");
    let size = 0;
    try {
      for await (const chunk of req.body as unknown as AsyncIterable<Uint8Array>) {
        writeSync(fd, chunk);
        hash.update(chunk);
        size += chunk.byteLength;
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return Response.json({ size, sha256: hash.digest("hex") }, { status: 201 });
  },
});
console.log(`listening ${server.port}`);
