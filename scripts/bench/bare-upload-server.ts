// A second baseline for the files benchmark: the least an HTTP upload can cost on this machine — a
// bare Bun.serve that does nothing but the bytes' own work. Started as its own process (as the node
// is); prints its port. `bun bare-upload-server.ts <dir>`.
//   PUT /        streams the body to a file, fsyncs it and hashes it (SHA-256).
//   PUT /durable the durable steps a node's small write takes and nothing else: the body hashed and
//                written to a temp file, fsynced (on the node's fsync threads), renamed into a
//                sharded folder, the folder fsynced — the ceiling for PC2's small writes.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fsyncPool } from "../../server/fs/fsync-pool.ts";

const dir = process.argv[2];
if (!dir) throw new Error("usage: bare-upload-server.ts <dir>");
let n = 0;

async function fsyncDir(path: string): Promise<void> {
  const fd = openSync(path, "r");
  try {
    await fsyncPool.sync(fd);
  } finally {
    closeSync(fd);
  }
}

async function durableWrite(body: Uint8Array): Promise<string> {
  const hash = new Bun.CryptoHasher("sha256").update(body).digest("hex");
  const tmp = join(dir!, `tmp-${n++}`);
  const fd = openSync(tmp, "wx");
  try {
    for (let off = 0; off < body.byteLength; ) off += writeSync(fd, body, off);
    await fsyncPool.sync(fd);
  } finally {
    closeSync(fd);
  }
  const id = crypto.randomUUID().replaceAll("-", "");
  const shard = join(dir!, id.slice(0, 2));
  mkdirSync(shard, { recursive: true });
  renameSync(tmp, join(shard, id));
  await fsyncDir(shard);
  return hash;
}

const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  maxRequestBodySize: 4 * 1024 * 1024 * 1024,
  async fetch(req) {
    if (req.method !== "PUT" || !req.body) return new Response("PUT a body", { status: 400 });
    const path = new URL(req.url).pathname;
    if (path === "/durable") return Response.json({ sha256: await durableWrite(await req.bytes()) }, { status: 201 });
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
