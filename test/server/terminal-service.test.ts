// The terminal service on its own (no HTTP, no socket), on a real database and real PTYs: who may use
// it, the idle sweeper and its boundary, stop, detach and ending by match, the shell's fallback and
// environment, what is audited and logged, and what the client is told. Mutation testing (the
// terminal group) showed these were only reached through the routes, where the role table and the
// wiring hide them, or not at all.
import { afterEach, beforeEach, describe, expect, setSystemTime, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type Database } from "../../server/db/database.ts";
import { migrate } from "../../server/db/migrate.ts";
import { createLogger } from "../../server/log.ts";
import type { Principal, Role } from "../../server/principal.ts";
import { AuditRepository } from "../../server/services/audit/audit.repository.ts";
import { AuditService } from "../../server/services/audit/audit.service.ts";
import { SettingsRepository } from "../../server/services/settings/settings.repository.ts";
import { processesInSession } from "../../server/services/terminal/process-session.ts";
import { TerminalService, type TerminalLimits } from "../../server/services/terminal/terminal.service.ts";

const OWNER = `0x${"a".repeat(40)}`;
const ADMIN = `0x${"b".repeat(40)}`;
const MEMBER = `0x${"c".repeat(40)}`;

function who(address: string, role: Role, sessionId: string | null = `s-${address.slice(-4)}`): Principal {
  return { kind: "session", address, role, scopes: new Set(), sessionId, tokenId: null };
}

let dir: string;
let db: Database;
let audit: AuditService;
let settings: SettingsRepository;
let logs: { msg: string; [k: string]: unknown }[];
let svc: TerminalService;

function service(limits: Partial<TerminalLimits> = {}): TerminalService {
  const log = createLogger({ level: "info", format: "json", sink: { write: (line) => void logs.push(JSON.parse(line)) } });
  svc = new TerminalService({ shell: "/bin/sh", maxPerUser: 3, idleMs: 60_000, ...limits }, settings, audit, log);
  return svc;
}

/** A client: what the service sent it, by method. */
function client() {
  const sent: { method: string; params: Record<string, unknown> }[] = [];
  const send = (method: string, params: unknown) => void sent.push({ method, params: params as Record<string, unknown> });
  const text = (id: string) =>
    sent
      .filter((m) => m.method === "terminal.data" && m.params.id === id)
      .map((m) => m.params.data)
      .join("");
  const waitFor = async (id: string, pattern: RegExp, ms = 5000) => {
    const end = Date.now() + ms;
    while (!pattern.test(text(id))) {
      if (Date.now() > end) throw new Error(`no ${pattern} in output:\n${text(id).slice(-300)}`);
      await Bun.sleep(10);
    }
  };
  return { sent, send, text, waitFor };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await Bun.sleep(10);
  }
}

const closedEntries = (id: string) => audit.page({ action: "terminal.closed", limit: "500" }).entries.filter((e) => e.target === id);
const entries = (s: TerminalService) => (s as unknown as { entries: Map<string, { session: { lastActivity: number; pid: number } }> }).entries;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pc2-terminal-svc-"));
  db = openDatabase(join(dir, "pc2.db"));
  migrate(db);
  audit = new AuditService(new AuditRepository(db));
  settings = new SettingsRepository(db);
  logs = [];
});
afterEach(async () => {
  setSystemTime();
  await svc?.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("who may use it", () => {
  test("a Member is refused by the service itself, not only by the role table", () => {
    const s = service();
    const c = client();
    for (const call of [() => s.open(who(MEMBER, "member"), {}, 1, c.send), () => s.list(who(MEMBER, "member"))]) {
      expect(call).toThrow(expect.objectContaining({ code: "terminal_owner_only", message: "The terminal is for the node's Owner (the Owner can allow Admins in Settings)" }));
    }
  });

  test("an Admin's own terminal stops answering them the moment the Owner withdraws the permission", async () => {
    const s = service();
    s.setAllowAdmins(true);
    // Stored under a stable name: renaming it would quietly reset every node's choice on upgrade.
    expect(settings.get("terminal.allowAdmins")).toBe("true");
    const c = client();
    const admin = who(ADMIN, "admin");
    const { id } = s.open(admin, {}, 1, c.send);
    expect(s.input(admin, id, "echo ok\r")).toEqual({ ok: true });
    s.setAllowAdmins(false);
    for (const call of [() => s.input(admin, id, "x"), () => s.resize(admin, id, { cols: 90, rows: 30 }), () => s.attach(admin, id, 2, c.send)]) {
      expect(call).toThrow(expect.objectContaining({ code: "terminal_owner_only" }));
    }
    expect(s.close(admin, id)).rejects.toMatchObject({ code: "terminal_owner_only" });
  });

  test("the per-user limit counts each user's own terminals and names itself", () => {
    const s = service({ maxPerUser: 1 });
    s.setAllowAdmins(true);
    const c = client();
    s.open(who(OWNER, "owner"), {}, 1, c.send);
    // Another user's open terminal does not use up this one's allowance.
    expect(s.open(who(ADMIN, "admin"), {}, 2, c.send).shell).toBe("/bin/sh");
    expect(() => s.open(who(OWNER, "owner"), {}, 1, c.send)).toThrow(expect.objectContaining({ code: "too_many_terminals", message: "At most 1 terminals may be open at once; close one first" }));
  });
});

describe("the shell", () => {
  test("a configured shell that does not exist falls back to /bin/sh; the environment is the allowlist, UTF-8", async () => {
    const s = service({ shell: "/nonexistent/shell" });
    const c = client();
    const { id, shell } = s.open(who(OWNER, "owner"), {}, 1, c.send);
    expect(shell).toBe("/bin/sh");
    s.input(who(OWNER, "owner"), id, "echo lang=$LANG term=$TERM shell=$SHELL\r");
    await c.waitFor(id, /lang=C\.UTF-8 term=xterm-256color shell=\/bin\/sh/);
  });

  test("what a reattaching client gets back is capped at 256 KiB", async () => {
    const s = service();
    const c = client();
    const owner = who(OWNER, "owner");
    const { id } = s.open(owner, {}, 1, c.send);
    // 600 KB in six bursts, each under the output budget's window, so most of it is sent.
    s.input(owner, id, "for i in 1 2 3 4 5 6; do head -c 100000 /dev/zero | tr '\\0' Q; sleep 0.3; done; echo; echo big-$((6*7))\r");
    await c.waitFor(id, /big-42/, 15_000);
    expect(c.text(id).length).toBeGreaterThan(300 * 1024);
    const { history } = s.attach(owner, id, 2, client().send);
    expect(history.length).toBeLessThanOrEqual(256 * 1024);
    expect(history).toContain("big-42");
  });

  test("a reattaching client gets far more than a screenful back", async () => {
    const s = service();
    const c = client();
    const owner = who(OWNER, "owner");
    const { id } = s.open(owner, {}, 1, c.send);
    s.input(owner, id, "i=0; while [ $i -lt 200 ]; do echo line-$i-of-history-xxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done; echo end-$((6*7))\r");
    await c.waitFor(id, /end-42/);
    const again = client();
    const { history } = s.attach(owner, id, 2, again.send);
    expect(history).toContain("line-0-of-history");
    expect(history).toContain("line-199-of-history");
  });
});

describe("how a terminal ends", () => {
  test("the shell exiting tells its client once, and is audited with its exit code; a user's close sends no exit", async () => {
    const s = service();
    const c = client();
    const owner = who(OWNER, "owner");
    const a = s.open(owner, {}, 1, c.send);
    s.input(owner, a.id, "exit 3\r");
    await until(() => closedEntries(a.id).length === 1);
    expect(closedEntries(a.id)[0]!.detail).toEqual({ reason: "shell exited", exitCode: 3 });
    expect(c.sent.filter((m) => m.method === "terminal.exit")).toEqual([{ method: "terminal.exit", params: { id: a.id, code: 3 } }]);

    const b = s.open(owner, {}, 1, c.send);
    await s.close(owner, b.id);
    expect(closedEntries(b.id)[0]!.detail).toEqual({ reason: "closed by the user" });
    await Bun.sleep(50); // the shell's exit has been seen by now (close waited for it)
    expect(c.sent.filter((m) => m.method === "terminal.exit" && m.params.id === b.id)).toEqual([]);
    expect(closedEntries(b.id)).toHaveLength(1);
  });

  test("opening and closing are logged with the terminal's id", async () => {
    const s = service();
    const owner = who(OWNER, "owner");
    const { id } = s.open(owner, {}, 1, client().send);
    await s.close(owner, id);
    const opened = audit.page({ action: "terminal.opened" }).entries.find((e) => e.target === id)!;
    expect(opened.actor).toBe(OWNER);
    expect(opened.detail).toEqual({ shell: "/bin/sh", pid: expect.any(Number) });
    expect(logs.filter((l) => l.id === id).map((l) => [l.msg, l.owner ?? l.reason])).toEqual([
      ["terminal opened", OWNER],
      ["terminal closed", "closed by the user"],
    ]);
  });

  test("the sweeper runs by itself and hangs up only terminals idle longer than the limit", async () => {
    const s = service({ idleMs: 400 });
    s.start();
    const owner = who(OWNER, "owner");
    const c = client();
    const idle = s.open(owner, {}, 1, c.send);
    const busy = s.open(owner, {}, 1, c.send);
    const pid = entries(s).get(idle.id)!.session.pid;
    const opened = Date.now();
    // Keep one busy (typing counts as activity) while the other idles past the limit.
    const end = Date.now() + 5000;
    while (closedEntries(idle.id).length === 0 && Date.now() < end) {
      s.input(owner, busy.id, ":\r");
      await Bun.sleep(50);
    }
    expect(closedEntries(idle.id).map((e) => e.detail)).toEqual([{ reason: "idle timeout" }]);
    // Swept every quarter of the idle limit (at least every 200 ms): hung up by about 0.6 s, not seconds later.
    expect(Date.now() - opened).toBeLessThan(1500);
    expect(s.list(owner).map((t) => t.id)).toEqual([busy.id]);
    await until(() => processesInSession(pid).length === 0);
  });

  test("idle means longer than the limit: at exactly the limit a terminal stays", () => {
    const s = service({ idleMs: 60_000 });
    const owner = who(OWNER, "owner");
    const { id } = s.open(owner, {}, 1, client().send);
    const now = Date.now();
    setSystemTime(new Date(now));
    entries(s).get(id)!.session.lastActivity = now - 60_000;
    (s as unknown as { sweepIdle(): void }).sweepIdle();
    expect(s.list(owner).map((t) => t.id)).toEqual([id]);
    entries(s).get(id)!.session.lastActivity = now - 60_001;
    (s as unknown as { sweepIdle(): void }).sweepIdle();
    expect(s.list(owner)).toEqual([]);
  });

  test("stop hangs up every terminal, audited as the node stopping", async () => {
    const s = service();
    const owner = who(OWNER, "owner");
    const admin = who(ADMIN, "admin");
    s.setAllowAdmins(true);
    const a = s.open(owner, {}, 1, client().send);
    const b = s.open(admin, {}, 2, client().send);
    const pids = [a.id, b.id].map((id) => entries(s).get(id)!.session.pid);
    s.start();
    await s.stop();
    expect(s.count()).toBe(0);
    for (const id of [a.id, b.id]) expect(closedEntries(id).map((e) => e.detail)).toEqual([{ reason: "node stopping" }]);
    for (const pid of pids) expect(processesInSession(pid)).toEqual([]);
  });

  test("stop waits for a hang-up already under way, so it is audited before the database closes", async () => {
    const s = service();
    const owner = who(OWNER, "owner");
    const { id } = s.open(owner, {}, 1, client().send);
    s.endWhere(() => true, "signed out"); // under way: the PTY is still being hung up
    expect(closedEntries(id)).toEqual([]);
    await s.stop();
    expect(closedEntries(id).map((e) => e.detail)).toEqual([{ reason: "signed out" }]);
    // Nothing of a finished hang-up is kept.
    expect((s as unknown as { ending: Set<unknown> }).ending.size).toBe(0);
  });

  test("a stopped service leaves no timer behind: the process can exit by itself", async () => {
    const script = `
      import { TerminalService } from ${JSON.stringify(join(import.meta.dir, "../../server/services/terminal/terminal.service.ts"))};
      import { createLogger } from ${JSON.stringify(join(import.meta.dir, "../../server/log.ts"))};
      const s = new TerminalService({ shell: "/bin/sh", maxPerUser: 1, idleMs: 1000 }, {}, {}, createLogger({ level: "error", format: "json" }));
      s.start();
      await s.stop();
      console.log("stopped");
    `;
    const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe", env: process.env });
    const exited = await Promise.race([child.exited, Bun.sleep(5000).then(() => "still running")]);
    if (exited === "still running") child.kill("SIGKILL");
    expect(exited).toBe(0);
    expect(await new Response(child.stdout).text()).toBe("stopped\n");
  });

  test("sign-out ends only the matching terminals", async () => {
    const s = service();
    s.setAllowAdmins(true);
    const mine = s.open(who(OWNER, "owner", "s-1"), {}, 1, client().send);
    const other = s.open(who(ADMIN, "admin", "s-2"), {}, 2, client().send);
    s.endWhere((e) => e.authSession === "s-1", "signed out");
    await until(() => closedEntries(mine.id).length === 1);
    expect(closedEntries(mine.id)[0]!.detail).toEqual({ reason: "signed out" });
    expect(s.list(who(ADMIN, "admin")).map((t) => t.id)).toEqual([other.id]);
  });
});

describe("detach", () => {
  test("a socket going away detaches only its own terminals; the others keep streaming", async () => {
    const s = service();
    const owner = who(OWNER, "owner");
    const one = client();
    const two = client();
    const a = s.open(owner, {}, 1, one.send);
    const b = s.open(owner, {}, 2, two.send);
    s.detach(1);
    expect(Object.fromEntries(s.list(owner).map((t) => [t.id, t.attached]))).toEqual({ [a.id]: false, [b.id]: true });
    s.input(owner, b.id, "echo still-$((6*7))\r");
    await two.waitFor(b.id, /still-42/);
    // The detached one keeps running and keeps its output for a reattach.
    s.input(owner, a.id, "echo while-away-$((6*7))\r");
    await until(() => s.attach(owner, a.id, 3, one.send).history.includes("while-away-42"));
  });
});
