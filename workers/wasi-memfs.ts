// The guest's file system: an in-memory tree (nothing of the host is visible) holding copies of the
// caller's input files under /input and an empty /output whose files are copied out after the run.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MemFS } from "@wasmer/wasi";
import type { WasiJob } from "./wasi-protocol.ts";

export const INPUT = "/input";
export const OUTPUT = "/output";

export function guestFs(job: WasiJob): { fs: MemFS; preopens: Record<string, string> } {
  const fs = new MemFS();
  const preopens: Record<string, string> = {};
  if (job.inputs.length > 0) {
    fs.createDir(INPUT);
    preopens[INPUT] = INPUT;
    for (const input of job.inputs) {
      const file = fs.open(`${INPUT}/${input.name}`, { read: true, write: true, create: true });
      file.write(readFileSync(input.hostPath));
      file.free();
    }
  }
  if (job.outputDir) {
    fs.createDir(OUTPUT);
    preopens[OUTPUT] = OUTPUT;
  }
  return { fs, preopens };
}

interface Entry {
  path: string;
  metadata: { filetype: { dir: boolean; file: boolean } };
}

/**
 * Copy the files under /output to the job's outputDir, numbered 1, 2, … (a guest's names never
 * become host paths), reporting each with its path relative to /output; within the caps.
 */
export async function collectOutputs(fs: MemFS, job: WasiJob, onFile: (index: number, name: string, size: number) => void): Promise<void> {
  let files = 0;
  let bytes = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of fs.readDir(dir) as Entry[]) {
      if (entry.metadata.filetype.dir) {
        await walk(entry.path);
        continue;
      }
      if (!entry.metadata.filetype.file) continue;
      const file = fs.open(entry.path, { read: true });
      const data = file.read();
      file.free();
      files++;
      bytes += data.length;
      if (files > job.maxOutputFiles) throw new Error(`The app wrote more than ${job.maxOutputFiles} files to /output`);
      if (bytes > job.maxOutputBytes) throw new Error(`The app wrote more than ${job.maxOutputBytes} bytes to /output`);
      const name = entry.path.slice(OUTPUT.length + 1);
      await Bun.write(join(job.outputDir!, String(files)), data);
      onFile(files, name, data.length);
    }
  };
  await walk(OUTPUT);
}
