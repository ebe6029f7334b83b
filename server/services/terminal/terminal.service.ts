// Terminals for the Owner (and Admins if the Owner allows): real PTYs with limits, idle timeout, audit, no orphans.
import { existsSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { fail, ForbiddenError, NotFoundError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { Principal } from "../../principal.ts";
import type { OpenTerminal } from "./terminal.schemas.ts";
import type { SettingsRepository } from "../settings/settings.repository.ts";
import { TerminalSession } from "./terminal-session.ts";

export interface TerminalLimits {
  shell: string;
  maxPerUser: number;
  idleMs: number;
}

type Send = (method: string, params: unknown) => void;

interface Entry {
  session: TerminalSession;
  owner: string;
  authSession: string | null;
  connId: number | null;
}

const ALLOW_ADMINS = "terminal.allowAdmins";

/** The shell's whole environment: an allowlist, so no token, key or setup code of the node can leak in. */
function cleanEnv(shell: string): Record<string, string> {
  const user = userInfo().username;
  return {
    HOME: homedir(),
    USER: user,
    LOGNAME: user,
    SHELL: shell,
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    LANG: "C.UTF-8",
    TERM: "xterm-256color",
  };
}

export class TerminalService {
  private readonly entries = new Map<string, Entry>();
  private sweeper: ReturnType<typeof setInterval> | null = null;
  /** Terminals being hung up (a sweep, a sign-out): stop waits for them, so none is audited after the database closes. */
  private readonly ending = new Set<Promise<void>>();

  constructor(
    private readonly limits: TerminalLimits,
    private readonly settings: SettingsRepository,
    private readonly audit: AuditService,
    private readonly log: Logger,
  ) {}

  /** Terminal sessions open on the node (for its metrics). */
  count(): number {
    return this.entries.size;
  }

  start(): void {
    this.sweeper = setInterval(() => this.sweepIdle(), Math.min(30_000, Math.max(200, this.limits.idleMs / 4)));
  }

  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await Promise.all([...[...this.entries.keys()].map((id) => this.end(id, "node stopping")), ...this.ending]);
  }

  allowsAdmins(): boolean {
    return this.settings.get(ALLOW_ADMINS) === "true";
  }

  setAllowAdmins(allow: boolean): void {
    this.settings.set(ALLOW_ADMINS, String(allow));
  }

  /** Owners always; Admins only when allowed; Members never (the role table already refuses them). */
  private mayUse(p: Principal): void {
    if (p.role === "owner") return;
    if (p.role === "admin" && this.allowsAdmins()) return;
    throw new ForbiddenError("The terminal is for the node's Owner (the Owner can allow Admins in Settings)", "terminal_owner_only");
  }

  private mine(p: Principal, id: string): Entry {
    this.mayUse(p);
    const e = this.entries.get(id);
    if (!e || e.owner !== p.address) throw new NotFoundError("No such terminal", "terminal_not_found");
    return e;
  }

  open(p: Principal, input: OpenTerminal, connId: number, send: Send): { id: string; shell: string } {
    this.mayUse(p);
    const { cols = 80, rows = 24 } = input;
    const open = [...this.entries.values()].filter((e) => e.owner === p.address).length;
    if (open >= this.limits.maxPerUser) throw fail("too_many_terminals", `At most ${this.limits.maxPerUser} terminals may be open at once; close one first`);
    const shell = existsSync(this.limits.shell) ? this.limits.shell : "/bin/sh";
    const session = new TerminalSession({ shell, cwd: homedir(), env: cleanEnv(shell), cols, rows, flushMs: 16, maxFlushBytes: 256 * 1024, budgetWindowMs: 250, scrollbackBytes: 256 * 1024 });
    const entry: Entry = { session, owner: p.address, authSession: p.sessionId, connId };
    this.entries.set(session.id, entry);
    this.bind(entry, connId, send);
    void session.exited.then((code) => {
      if (!this.entries.has(session.id)) return;
      send("terminal.exit", { id: session.id, code });
      void this.end(session.id, "shell exited", code);
    });
    this.audit.record({ actor: p.address, action: "terminal.opened", target: session.id, detail: { shell, pid: session.pid } });
    this.log.info("terminal opened", { id: session.id, owner: p.address });
    return { id: session.id, shell };
  }

  private bind(entry: Entry, connId: number, send: Send): void {
    entry.connId = connId;
    entry.session.sink = (data) => data && send("terminal.data", { id: entry.session.id, data });
  }

  /** Reconnect (after a page reload): this socket now gets the output; returns what was on screen. */
  attach(p: Principal, id: string, connId: number, send: Send): { id: string; history: string } {
    const e = this.mine(p, id);
    this.bind(e, connId, send);
    return { id: e.session.id, history: e.session.history() };
  }

  input(p: Principal, id: string, data: string): { ok: true } {
    const e = this.mine(p, id);
    e.session.write(data);
    return { ok: true };
  }

  resize(p: Principal, id: string, { cols, rows }: { cols: number; rows: number }): { ok: true } {
    const e = this.mine(p, id);
    e.session.resize(cols, rows);
    return { ok: true };
  }

  async close(p: Principal, id: string): Promise<{ closed: true }> {
    const e = this.mine(p, id);
    await this.end(e.session.id, "closed by the user");
    return { closed: true };
  }

  list(p: Principal): { id: string; createdAt: string; lastActivity: string; attached: boolean }[] {
    this.mayUse(p);
    return [...this.entries.values()]
      .filter((e) => e.owner === p.address)
      .map((e) => ({ id: e.session.id, createdAt: new Date(e.session.createdAt).toISOString(), lastActivity: new Date(e.session.lastActivity).toISOString(), attached: e.connId !== null }));
  }

  /** The socket went away (a reload, a dropped network): the terminal lives on until it idles out. */
  detach(connId: number): void {
    for (const e of this.entries.values()) if (e.connId === connId) (e.connId = null), (e.session.sink = null);
  }

  /** Sign-out, revocation, removal: hang up every terminal that belongs to it. */
  endWhere(match: (e: { owner: string; authSession: string | null }) => boolean, reason: string): void {
    for (const [id, e] of this.entries) if (match(e)) void this.end(id, reason);
  }

  private sweepIdle(): void {
    const now = Date.now();
    for (const [id, e] of this.entries) if (now - e.session.lastActivity > this.limits.idleMs) void this.end(id, "idle timeout");
  }

  private end(id: string, reason: string, code?: number): Promise<void> {
    const e = this.entries.get(id);
    if (!e) return Promise.resolve();
    this.entries.delete(id);
    const ending = this.hangUp(id, e, reason, code).finally(() => this.ending.delete(ending));
    this.ending.add(ending);
    return ending;
  }

  private async hangUp(id: string, e: Entry, reason: string, code?: number): Promise<void> {
    await e.session.close();
    this.audit.record({ actor: e.owner, action: "terminal.closed", target: id, detail: { reason, ...(code === undefined ? {} : { exitCode: code }) } });
    this.log.info("terminal closed", { id, reason });
  }
}
