// Durability seen from the kernel: under strace, every durable write flushes its temp file before
// renaming it into place, and flushes the folder after. durability-order.test.ts records the named
// steps; this one sees the fsync(2) calls themselves, so a step that is called but no longer flushes
// anything (an emptied durable-steps function, a page cache hiding it from the crash test) fails here.
import { expect, test } from "bun:test";
import { dirname, join } from "node:path";
import { readFileSync } from "node:fs";
import { makeTempDir } from "../../helpers/temp-dir.ts";

const FIXTURE = join(import.meta.dir, "..", "..", "fixtures", "processes", "durable-writes.ts");

interface Call {
  name: string;
  /** The system call itself (fsync or fdatasync for a flush). */
  syscall: string;
  /** fsync: the path of the file it flushed (strace -y); rename: from and to. */
  paths: string[];
}

/** Successful fsync/rename calls, in the order the kernel saw them (every thread: -f). */
function traced(log: string): Call[] {
  const calls: Call[] = [];
  for (const line of log.split("\n")) {
    const m = /^\d+\s+(fsync|fdatasync|rename|renameat2?)\((.*)\)\s+= 0$/.exec(line.trim());
    if (!m) continue;
    const paths = m[1]!.startsWith("rename") ? [...m[2]!.matchAll(/"([^"]+)"/g)].map((x) => x[1]!) : [/<([^>]+)>/.exec(m[2]!)?.[1] ?? ""];
    calls.push({ name: m[1]!.startsWith("rename") ? "rename" : "fsync", syscall: m[1]!, paths });
  }
  return calls;
}

test("each durable write: its temp file flushed → renamed over the target → its folder flushed; a commit's WAL flushed (fsync(2), fdatasync(2) seen by strace)", async () => {
  const dir = makeTempDir();
  try {
    const log = join(dir.path, "strace.log");
    const proc = Bun.spawn(["strace", "-f", "-qq", "-y", "-e", "signal=none", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2", "-o", log, process.execPath, FIXTURE, dir.path], {
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect([code, err]).toEqual([0, ""]);
    const blobs = JSON.parse(out) as { small: string; streamed: string; wal: string };
    const calls = traced(readFileSync(log, "utf8"));
    const targets = [join(dir.path, "settings", "settings.json"), join(dir.path, "chunks", "chunk.bin"), blobs.small, blobs.streamed];
    for (const target of targets) {
      const at = calls.findIndex((c) => c.name === "rename" && c.paths[1] === target);
      expect(at, `a rename onto ${target}`).toBeGreaterThanOrEqual(0);
      const tmp = calls[at]!.paths[0]!;
      expect(dirname(tmp) === dirname(target) || tmp.startsWith(join(dir.path, "tmp") + "/")).toBe(true);
      const flushedBefore = calls.slice(0, at).some((c) => c.name === "fsync" && c.paths[0] === tmp);
      // A folder is flushed with fsync(2) itself: fdatasync may skip the metadata that names the file.
      const folderAfter = calls.slice(at + 1).some((c) => c.syscall === "fsync" && c.paths[0] === dirname(target));
      expect({ target, flushedBefore, folderAfter }).toEqual({ target, flushedBefore: true, folderAfter: true });
    }
    // A commit on the disk: its WAL flushed by the node with fdatasync (SQLite, with synchronous =
    // NORMAL, flushes the WAL only as it starts one and at checkpoints, and with fsync).
    expect(calls.filter((c) => c.paths[0] === blobs.wal).map((c) => c.syscall)).toContain("fdatasync");
  } finally {
    dir.remove();
  }
});
