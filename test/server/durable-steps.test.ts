// durable.syncFileAsync: a file flushed by its path on the fsync threads — true when flushed, false
// when there is no such file, any other failure thrown; its descriptor closed either way.
import { expect, test } from "bun:test";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { durable } from "../../server/fs/durable-steps.ts";
import { makeTempDir } from "../helpers/temp-dir.ts";

const openDescriptors = () => readdirSync("/proc/self/fd").length;

test("a file is flushed (true), a missing one is not (false), anything else is thrown; no descriptor is left open", async () => {
  const dir = makeTempDir();
  try {
    const file = join(dir.path, "wal");
    writeFileSync(file, "bytes");
    expect(await durable.syncFileAsync(file)).toBe(true);
    const before = openDescriptors(); // the fsync thread, started by the first flush, has its own
    expect(await durable.syncFileAsync(file)).toBe(true);
    expect(await durable.syncFileAsync(join(dir.path, "missing"))).toBe(false);
    // A path through a file: ENOTDIR, which is not "no such file".
    const refused = await durable.syncFileAsync(join(file, "below")).then(
      () => "flushed",
      (err: NodeJS.ErrnoException) => err.code,
    );
    expect(refused).toBe("ENOTDIR");
    expect(openDescriptors()).toBe(before);
  } finally {
    dir.remove();
  }
});
