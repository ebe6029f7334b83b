// Downloading a release's binary into the data dir, resumably: bytes land in
// <data>/updates/<version>-<platform>.part; a download cut off continues from where it stopped
// (HTTP Range) next time; a server that ignores the range starts it over. Only a file of exactly
// the manifest's size and SHA-256 becomes <data>/releases/<version>/pc2 (flushed, renamed, folder
// flushed); anything else is deleted and refused.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { durable } from "../fs/durable-steps.ts";
import { releaseBinary } from "./install-layout.ts";
import { type ReleaseManifest, ReleaseRefused } from "./release-manifest.ts";

export interface DownloadProgress {
  received: number;
  size: number;
  resumedFrom: number;
}

const LOOPBACK = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/;

export const partFile = (dataDir: string, m: ReleaseManifest) => join(dataDir, "updates", `${m.version}-${m.platform}.part`);

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** The verified binary's path, downloading what is missing first. */
export async function downloadRelease(m: ReleaseManifest, dataDir: string, onProgress: (p: DownloadProgress) => void = () => {}): Promise<string> {
  const url = new URL(m.url);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.test(url.hostname))) throw new ReleaseRefused("malformed", "a release is downloaded over https only");
  const done = releaseBinary(dataDir, m.version);
  if (existsSync(done) && statSync(done).size === m.size && (await sha256Of(done)) === m.sha256) return done;
  mkdirSync(join(dataDir, "updates"), { recursive: true, mode: 0o700 });
  const part = partFile(dataDir, m);
  let have = existsSync(part) ? statSync(part).size : 0;
  if (have > m.size) {
    rmSync(part, { force: true });
    have = 0;
  }
  if (have < m.size) {
    const res = await fetch(url, { headers: have ? { range: `bytes=${have}-` } : {}, redirect: "follow", signal: AbortSignal.timeout(30 * 60_000) });
    // 206 from where we are: append. 200: the server sends it all; start over. Anything else: fail.
    const resumed = res.status === 206 && new RegExp(`^bytes ${have}-\\d+/(?:${m.size}|\\*)$`).test(res.headers.get("content-range") ?? "");
    if (!resumed && res.status !== 200) throw new Error(`the release URL answered HTTP ${res.status}`);
    if (!resumed) have = 0;
    const file = await open(part, resumed ? "a" : "w", 0o600);
    const resumedFrom = have;
    try {
      const reader = res.body!.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        if (have + r.value.length > m.size) {
          await reader.cancel();
          throw new ReleaseRefused("hash_mismatch", `the download is larger than the manifest's ${m.size} bytes`);
        }
        for (let off = 0; off < r.value.length; ) off += (await file.write(r.value, off, r.value.length - off)).bytesWritten;
        have += r.value.length;
        onProgress({ received: have, size: m.size, resumedFrom });
      }
      await durable.syncHandle(file, part);
    } catch (err) {
      if (err instanceof ReleaseRefused) rmSync(part, { force: true });
      throw err;
    } finally {
      await file.close();
    }
    if (have < m.size) throw new Error(`the download stopped at ${have} of ${m.size} bytes; it resumes from there next time`);
  }
  if ((await sha256Of(part)) !== m.sha256) {
    rmSync(part, { force: true });
    throw new ReleaseRefused("hash_mismatch", "the downloaded binary does not have the manifest's SHA-256; it was deleted");
  }
  const dir = join(dataDir, "releases", m.version);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const handle = await open(part, "r+");
  await handle.chmod(0o755);
  await handle.close();
  durable.rename(part, done);
  await durable.fsyncDirAsync(dir);
  return done;
}
