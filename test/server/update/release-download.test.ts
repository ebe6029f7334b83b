// Downloading a release: a loopback server with HTTP ranges. Whole; cut off half-way and resumed from
// the bytes already on disk (the server sees the Range); a server that ignores ranges (started over);
// refused and deleted: a wrong SHA-256, more bytes than the manifest says, a plain-http URL off
// loopback. Only a verified binary ever appears under releases/.
import { afterAll, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { releaseBinary } from "../../../server/update/install-layout.ts";
import { downloadRelease, partFile } from "../../../server/update/release-download.ts";
import { type ReleaseManifest, ReleaseRefused, thisPlatform } from "../../../server/update/release-manifest.ts";
import { makeTempDir } from "../../helpers/temp-dir.ts";

const work = makeTempDir();
const bytes = randomBytes(3 * 1024 * 1024 + 123);
const sha256 = createHash("sha256").update(bytes).digest("hex");
/** How the server behaves for the next request. */
let mode: "normal" | "no-ranges" | "extra" = "normal";
const ranges: (string | null)[] = [];
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(req) {
    const range = req.headers.get("range");
    ranges.push(range);
    if (mode === "extra") return new Response(Buffer.concat([bytes, Buffer.from("more")]));
    const m = range && mode === "normal" ? /^bytes=(\d+)-$/.exec(range) : null;
    if (m) {
      const from = Number(m[1]);
      return new Response(bytes.subarray(from), { status: 206, headers: { "content-range": `bytes ${from}-${bytes.length - 1}/${bytes.length}` } });
    }
    return new Response(bytes);
  },
});
/** A server whose connection ends half-way through the body: a truncated download. */
const cutter = Bun.listen({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    data(socket) {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${bytes.length}\r\n\r\n`);
      socket.write(bytes.subarray(0, bytes.length >> 1));
      socket.end();
    },
  },
});
const cutUrl = `http://127.0.0.1:${cutter.port}/pc2-0.2.0`;
afterAll(() => {
  server.stop(true);
  cutter.stop(true);
  work.remove();
});

const manifest = (over: Partial<ReleaseManifest> = {}): ReleaseManifest => ({
  version: "0.2.0",
  channel: "stable",
  platform: thisPlatform(),
  url: `http://127.0.0.1:${server.port}/pc2-0.2.0`,
  sha256,
  size: bytes.length,
  minFrom: "0.1.0",
  notes: "",
  ...over,
});

test("a whole download becomes releases/<version>/pc2, executable; asked again, nothing is fetched", async () => {
  const data = join(work.path, "whole");
  mode = "normal";
  const path = await downloadRelease(manifest(), data);
  expect(path).toBe(releaseBinary(data, "0.2.0"));
  expect(readFileSync(path).equals(bytes)).toBe(true);
  expect(statSync(path).mode & 0o777).toBe(0o755);
  expect(existsSync(partFile(data, manifest()))).toBe(false);
  const before = ranges.length;
  expect(await downloadRelease(manifest(), data)).toBe(path);
  expect(ranges.length).toBe(before);
});

test("cut off half-way, it resumes from the bytes on disk (Range), then verifies", async () => {
  const data = join(work.path, "resumed");
  await expect(downloadRelease(manifest({ url: cutUrl }), data)).rejects.toThrow();
  const part = partFile(data, manifest());
  const kept = statSync(part).size;
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThan(bytes.length);
  expect(existsSync(releaseBinary(data, "0.2.0"))).toBe(false);
  mode = "normal";
  const seen: number[] = [];
  const path = await downloadRelease(manifest(), data, (p) => seen.push(p.resumedFrom));
  expect(ranges.at(-1)).toBe(`bytes=${kept}-`);
  expect(seen[0]).toBe(kept);
  expect(readFileSync(path).equals(bytes)).toBe(true);
});

test("a server that ignores the range sends it all: the download starts over and is whole", async () => {
  const data = join(work.path, "no-ranges");
  await expect(downloadRelease(manifest({ url: cutUrl }), data)).rejects.toThrow();
  expect(statSync(partFile(data, manifest())).size).toBeGreaterThan(0);
  mode = "no-ranges";
  const path = await downloadRelease(manifest(), data);
  expect(readFileSync(path).equals(bytes)).toBe(true);
});

test("refused and deleted: a wrong SHA-256, more bytes than the manifest, http off loopback", async () => {
  const data = join(work.path, "refused");
  mode = "normal";
  const wrong = manifest({ sha256: "00".repeat(32) });
  const err = await downloadRelease(wrong, data).catch((e) => e);
  expect(err).toBeInstanceOf(ReleaseRefused);
  expect((err as ReleaseRefused).reason).toBe("hash_mismatch");
  expect(existsSync(partFile(data, wrong))).toBe(false);
  expect(existsSync(releaseBinary(data, "0.2.0"))).toBe(false);
  mode = "extra";
  const big = await downloadRelease(manifest(), data).catch((e) => e);
  expect([(big as ReleaseRefused).reason, (big as Error).message]).toEqual(["hash_mismatch", expect.stringContaining("larger than the manifest")]);
  expect(existsSync(releaseBinary(data, "0.2.0"))).toBe(false);
  await expect(downloadRelease(manifest({ url: "http://releases.example/pc2-0.2.0" }), data)).rejects.toThrow("over https only");
});
