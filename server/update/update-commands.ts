// `pc2 update check | apply | rollback [--force]`. Check asks the running node (or checks alone);
// apply and rollback ask the running node to do it, then follow it: the download, the backup, the
// restart, the new version's trial, and how it ended (exit 0: the target runs; 3: it did not).
import { join } from "node:path";
import type { Config } from "../config.ts";
import { formatBytes } from "../format-bytes.ts";
import { askNode } from "../http/control-socket.ts";
import { createLogger } from "../log.ts";
import { UpdateService, type UpdateStatus } from "../services/update/update.service.ts";

const POLL_MS = 250;

function printOutcome(s: UpdateStatus): void {
  const o = s.lastOutcome;
  if (!o) return;
  const what =
    o.result === "switched"
      ? o.kind === "update"
        ? `updated from ${o.from} to ${o.to}`
        : `rolled back from ${o.from} to ${o.to}`
      : o.kind === "update"
        ? `the update to ${o.to} failed and was rolled back to ${o.from}: ${o.reason}`
        : `the rollback to ${o.to} failed; ${o.from} runs: ${o.reason}`;
  console.log(`Last change (${o.at}): ${what}.`);
}

export async function updateCheck(config: () => Config, json: boolean): Promise<number> {
  const cfg = config();
  const answer = await askNode(join(cfg.dataDir, "pc2.sock"), "/update/check");
  if (answer && answer.status !== 200) {
    console.error(`pc2: ${answer.body?.message ?? answer.status}`);
    return 1;
  }
  const status = (answer?.body as UpdateStatus | undefined) ?? (await new UpdateService({ config: cfg.update, dataDir: cfg.dataDir, log: createLogger({ level: "error", format: "json" }) }).check());
  if (json) console.log(JSON.stringify(status, null, 2));
  else {
    console.log(`Running PC2 ${status.current} (${status.install === "binary" ? "the single binary" : "from source"}, ${status.channel}, ${status.platform}).`);
    console.log(status.summary);
    if (status.available?.notes) console.log(`\n${status.available.notes}`);
    if (status.previous) console.log(`\n${status.previous} is kept: \`pc2 update rollback\` goes back to it.`);
    printOutcome(status);
  }
  return status.state === "failed" || status.state === "refused" ? 3 : 0;
}

/** Ask the running node to update (or roll back), then follow it through its restart. */
export async function updateApply(config: () => Config, route: "/update/apply" | "/update/rollback?force=1" | "/update/rollback", waitMs?: number): Promise<number> {
  const cfg = config();
  const socket = join(cfg.dataDir, "pc2.sock");
  const started = Date.now();
  const answer = await askNode(socket, route);
  if (!answer) {
    console.error(`pc2: no node is running on ${cfg.dataDir}: updates are applied by the running node (start it first)`);
    return 1;
  }
  if (answer.status !== 200) {
    console.error(`pc2: ${answer.body?.message ?? answer.status} (${answer.body?.code})`);
    return answer.body?.code === "update_rollback_loses_data" ? 4 : 1;
  }
  let status = answer.body as UpdateStatus;
  const target = status.apply.version;
  console.log(route === "/update/apply" ? `Updating PC2 ${status.current} to ${target}.` : `Rolling back PC2 ${status.current} to ${target}.`);
  let said = "";
  const say = (line: string) => {
    if (line !== said) console.log(line);
    said = line;
  };
  // The running node: download, backup, hand over.
  for (;;) {
    const a = status.apply;
    if (a.step === "failed") {
      console.error(`pc2: ${a.error}`);
      return 3;
    }
    if (a.step === "downloading") say(`Downloading: ${formatBytes(a.received)} of ${formatBytes(a.size)} (${Math.floor((a.received / Math.max(1, a.size)) * 10) * 10}%)`);
    if (a.step === "backing-up") say("Backing up before the update…");
    if (a.step === "restarting") say("Restarting into the new release…");
    await Bun.sleep(POLL_MS);
    const next = await askNode(socket, "/update/status");
    if (!next) break; // the node stopped to hand over
    status = next.body as UpdateStatus;
  }
  // The restart, the target's trial, and its outcome (written before the node that follows starts).
  const until = Date.now() + (waitMs ?? cfg.update.trialMs + 120_000);
  say(`Waiting for PC2 to come back (the new release has ${Math.round(cfg.update.trialMs / 1000)} s to become healthy)…`);
  while (Date.now() < until) {
    await Bun.sleep(POLL_MS);
    const next = await askNode(socket, "/update/status");
    const s = next?.status === 200 ? (next.body as UpdateStatus) : null;
    if (!s?.lastOutcome || Date.parse(s.lastOutcome.at) < started) continue;
    printOutcome(s);
    console.log(`PC2 ${s.current} is running.`);
    return s.lastOutcome.result === "switched" ? 0 : 3;
  }
  console.error(`pc2: the node did not come back within ${Math.round((until - started) / 1000)} s; see \`pc2 service status\` and its log`);
  return 1;
}
