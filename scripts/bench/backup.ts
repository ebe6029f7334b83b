// Backups against `tar | age` of the same data on the same disk, same run: backup and restore
// throughput of SIZE MiB of incompressible files, and the time of an incremental backup of an
// unchanged node with many files (what it costs is a look at each object, not its bytes).
// `--write` records docs/performance.md.
import { randomFillSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backupKeysFromPhrase } from "../../server/backup/backup-keys.ts";
import { readSet, restoreBackup } from "../../server/backup/backup-restore.ts";
import { writeBackup } from "../../server/backup/backup-writer.ts";
import { FolderDestination } from "../../server/backup/folder-destination.ts";
import { keysFromPhrase } from "../../server/services/identity/node-id.ts";
import { writeSection } from "./sections.ts";

const MIB = 1024 * 1024;
const SIZE_MIB = Number(process.env.BENCH_BACKUP_MIB ?? 512);
const MANY = Number(process.env.BENCH_BACKUP_FILES ?? 10_000);
const PHRASE = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

const sh = (cmd: string) => {
  const r = Bun.spawnSync(["sh", "-c", cmd], { stdout: "ignore", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd}: ${r.stderr.toString()}`);
};
const timed = async (fn: () => unknown) => {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
};
const drop = () => Bun.spawnSync(["sh", "-c", "sync"]);

async function main() {
  const work = mkdtempSync(join(tmpdir(), "pc2-bench-backup-"));
  const keys = await backupKeysFromPhrase(PHRASE);
  const node = keysFromPhrase(PHRASE);
  try {
    // SIZE MiB as 4 MiB files of random bytes, laid out as a data dir's blobs.
    const data = join(work, "data");
    const names: string[] = [];
    for (let i = 0; i < SIZE_MIB / 4; i++) {
      const name = `files/owner/${String(i % 256).padStart(2, "0")}/blob${i}`;
      mkdirSync(join(data, name, ".."), { recursive: true });
      writeFileSync(join(data, name), randomFillSync(new Uint8Array(4 * MIB)));
      names.push(name);
    }
    writeFileSync(join(work, "id.txt"), `${keys.identity}\n`);
    drop();
    const tarAge = await timed(() => sh(`tar -cf - -C ${data} . | age -r ${keys.recipient} -o ${join(work, "base.age")}`));
    drop();
    const dest = new FolderDestination(join(work, "dest"), node.nodeId);
    const snapshot = { objects: names.map((p) => ({ path: p, source: join(data, p) })), release: () => {} };
    // How long the main thread (the node's event loop) goes without turning while the backup runs.
    let stall = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      stall = Math.max(stall, now - last);
      last = now;
    }, 5);
    const ours = await timed(() => writeBackup({ snapshot, keys, nodeId: node.nodeId, nodeSecretKey: node.secretKey, destination: dest }));
    clearInterval(ticker);
    drop();
    mkdirSync(join(work, "untar"));
    const ageTar = await timed(() => sh(`age -d -i ${join(work, "id.txt")} ${join(work, "base.age")} | tar -xf - -C ${join(work, "untar")}`));
    drop();
    const restore = await timed(() => restoreBackup({ destination: dest, keys, targetDir: join(work, "restored") }));

    // Many files, unchanged: the second backup takes every object from the first set's manifest.
    const many = join(work, "many");
    const manyNames: string[] = [];
    for (let i = 0; i < MANY; i++) {
      const name = `files/owner/${String(i % 256).padStart(2, "0")}/small${i}`;
      mkdirSync(join(many, name, ".."), { recursive: true });
      writeFileSync(join(many, name), randomFillSync(new Uint8Array(1024)));
      manyNames.push(name);
    }
    const manyDest = new FolderDestination(join(work, "many-dest"), node.nodeId);
    const manySnapshot = { objects: manyNames.map((p) => ({ path: p, source: join(many, p) })), release: () => {} };
    const firstMany = await timed(() => writeBackup({ snapshot: manySnapshot, keys, nodeId: node.nodeId, nodeSecretKey: node.secretKey, destination: manyDest, now: new Date(Date.now() - 60_000) }));
    const previous = (await readSet(manyDest, { ...keys, nodeId: node.nodeId })).manifest;
    const again = await timed(() => writeBackup({ snapshot: manySnapshot, keys, nodeId: node.nodeId, nodeSecretKey: node.secretKey, destination: manyDest, previous }));

    const mibps = (s: number) => (SIZE_MIB / s).toFixed(0);
    const table = [
      `${SIZE_MIB} MiB of random 4 MiB files on this machine's disk; \`tar | age\` (Debian's age 1.1) and PC2 in the same run.`,
      "",
      "| | tar + age | PC2 | ratio | goal |",
      "|---|---|---|---|---|",
      `| backup | ${mibps(tarAge)} MiB/s | ${mibps(ours)} MiB/s | ${((tarAge / ours) * 100).toFixed(0)}% | ≥ 70%: **${tarAge / ours >= 0.7 ? "met" : "missed"}** |`,
      `| restore | ${mibps(ageTar)} MiB/s | ${mibps(restore)} MiB/s | ${((ageTar / restore) * 100).toFixed(0)}% | ≥ 70%: **${ageTar / restore >= 0.7 ? "met" : "missed"}** |`,
      `| longest event-loop stall during the backup | | ${stall.toFixed(0)} ms | | (sealing runs in a worker) |`,
      `| ${MANY.toLocaleString("en")} files unchanged: first backup / incremental | | ${firstMany.toFixed(1)} s / ${again.toFixed(2)} s | ${((again / MANY) * 1e6).toFixed(0)} µs per file | 10 GiB node < 10 s |`,
    ].join("\n");
    console.log(table);
    if (process.argv.includes("--write")) writeSection("backup", table);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
