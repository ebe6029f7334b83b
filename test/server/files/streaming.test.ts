// Uploading and downloading 1 GiB keeps the node's memory flat: bodies stream, nothing is buffered whole.
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { spawnNode } from "../../helpers/spawned-node.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";
import { claimOwner, httpFetcher } from "../../helpers/wallet-auth.ts";

const GIB = 1024 ** 3;
const CHUNK = 1024 * 1024;

function peakRssBytes(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]) * 1024;
}

/** 1 GiB of pseudo-random bytes, generated chunk by chunk, with its SHA-256 computed on the way. */
function generated(size: number, hash: ReturnType<typeof createHash>): ReadableStream<Uint8Array> {
  let sent = 0;
  const chunk = new Uint8Array(CHUNK);
  return new ReadableStream({
    pull(c) {
      if (sent >= size) return c.close();
      const n = Math.min(CHUNK, size - sent);
      const view = chunk.subarray(0, n);
      view.fill((sent / CHUNK) % 251);
      view[0] = sent & 0xff;
      hash.update(view);
      c.enqueue(view.slice());
      sent += n;
    },
  });
}

function multipart(boundary: string, name: string, body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  const head = enc.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="path"\r\n\r\n~/Documents\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = enc.encode(`\r\n--${boundary}--\r\n`);
  const reader = body.getReader();
  let stage = 0;
  return new ReadableStream({
    async pull(c) {
      if (stage === 0) return void (c.enqueue(head), (stage = 1));
      if (stage === 1) {
        const { done, value } = await reader.read();
        if (!done) return c.enqueue(value);
        stage = 2;
      }
      c.enqueue(tail);
      c.close();
    },
  });
}

describe("streaming", () => {
  test("1 GiB up and down with flat memory", async () => {
    const dir = makeTempDir();
    try {
      const n = await spawnNode({ PC2_DATA_DIR: dir.path });
      const owner = await claimOwner(httpFetcher(n.url), /Setup code: (\S+)/.exec(n.stdout())![1]!);
      const pid = n.proc.pid;
      const baseline = peakRssBytes(pid);

      const upHash = createHash("sha256");
      const boundary = "pc2-streaming-test";
      const started = performance.now();
      const res = await fetch(`${n.url}/write`, {
        method: "POST",
        headers: { ...owner.bearer, "content-type": `multipart/form-data; boundary=${boundary}` },
        body: multipart(boundary, "gig.bin", generated(GIB, upHash)),
      } as RequestInit);
      const entry = await res.json();
      const upSeconds = (performance.now() - started) / 1000;
      expect(res.status).toBe(200);
      expect(entry.size).toBe(GIB);
      const afterUpload = peakRssBytes(pid);

      const downStarted = performance.now();
      const down = await fetch(`${n.url}/read?file=${encodeURIComponent("~/Documents/gig.bin")}`, { headers: owner.bearer });
      const downHash = createHash("sha256");
      let received = 0;
      for await (const chunk of down.body as unknown as AsyncIterable<Uint8Array>) {
        downHash.update(chunk);
        received += chunk.byteLength;
      }
      const downSeconds = (performance.now() - downStarted) / 1000;
      expect(received).toBe(GIB);
      expect(downHash.digest("hex")).toBe(upHash.digest("hex"));
      const peak = peakRssBytes(pid);

      const mb = (b: number) => Math.round(b / 1024 / 1024);
      console.log(
        `1 GiB: upload ${upSeconds.toFixed(1)} s (${mb(GIB / upSeconds)} MiB/s), download ${downSeconds.toFixed(1)} s (${mb(GIB / downSeconds)} MiB/s); ` +
          `node peak RSS ${mb(baseline)} MiB at rest → ${mb(afterUpload)} MiB after upload → ${mb(peak)} MiB after download`,
      );
      // Flat: the peak grows by a small fraction of what went through.
      expect(peak - baseline).toBeLessThan(192 * 1024 * 1024);
      expect(await n.stop()).toBe(0);
    } finally {
      dir.remove();
    }
  }, 600_000);
});
