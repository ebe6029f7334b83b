// Back up a folder of this machine to the node: every file under it, streamed, into
// ~/Backups/<folder name>/<date and time>/ on the node, keeping the layout; then list what arrived.
//   PC2_URL=https://my-node PC2_TOKEN=… bun client/examples/backup-folder.ts ~/Photos
import { readdirSync, statSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { Pc2Client } from "../pc2-client.ts";
import { progressBar } from "../progress.ts";

const folder = resolve(process.argv[2] ?? ".");
const client = new Pc2Client(process.env.PC2_URL ?? "http://127.0.0.1:4100", process.env.PC2_TOKEN ?? "");
const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
const target = `~/Backups/${basename(folder)}/${stamp}`;

const files: string[] = [];
const walk = (dir: string) => {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else files.push(full);
  }
};
walk(folder);

let bytes = 0;
const made = new Set<string>();
for (const file of files) {
  const rel = relative(folder, file).split("\\").join("/");
  const dir = `${target}/${rel}`.split("/").slice(0, -1).join("/");
  if (!made.has(dir)) {
    await client.files.mkdir(dir);
    made.add(dir);
  }
  const size = statSync(file).size;
  const bar = progressBar(rel, size);
  await client.files.put(file, `${target}/${rel}`, { onProgress: (n) => bar.update(n) });
  bar.finish(size);
  bytes += size;
}
console.log(`Backed up ${files.length} files (${bytes} bytes) to ${target}`);
await client.close();
