// One PTY (Bun.spawn with a terminal): coalesced output, capped scrollback, and a teardown that leaves no orphans.
import type { Subprocess } from "bun";
import { randomBytes } from "node:crypto";
import { lowPriority } from "../../low-priority.ts";
import { killSession } from "./process-session.ts";

const NICE = lowPriority(5);
/** termios c_iflag IXON (Linux and the BSDs): the terminal honours STOP (^S) and START (^Q) on output. */
const IXON = 0o2000;
const STOP = "\x13";
const START = "\x11";
/** VINTR, Ctrl+C. */
const INTERRUPT = "\x03";
/**
 * Output already on its way when STOP takes effect is held for the next windows (the program stays
 * stopped until it has all gone out), at most this much; anything past it is skipped and counted. A
 * program writing at memory speed (`yes`, `cat` of a cached file) gets a few MiB out in the moment
 * STOP takes to act: with 256 KiB here, `yes` lost output in most windows; with 4 MiB, in none to
 * two of 12 (the terminal-flood benchmark).
 */
const HELD_MAX = 4 * 1024 * 1024;

export interface SessionOptions {
  shell: string;
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
  /** Output is delivered at most this often… */
  flushMs: number;
  /**
   * …and at most this much per budget window: beyond it a flood is stopped (flow control) or, where
   * the program turned that off, cut — never buffered (the node and browser stay responsive).
   */
  maxFlushBytes: number;
  /**
   * The budget window: at most maxFlushBytes reach the client per window, however many flushes it
   * spans. Per flush alone, a flood would still push maxFlushBytes every flushMs (16 MB/s), more
   * than a browser can draw and enough to keep the node's main thread busy.
   */
  budgetWindowMs: number;
  scrollbackBytes: number;
}

export class TerminalSession {
  readonly id = randomBytes(12).toString("base64url");
  readonly createdAt = Date.now();
  lastActivity = Date.now();
  private readonly proc: Subprocess;
  private readonly decoder = new TextDecoder();
  private pending = "";
  private skipped = 0;
  /** Characters sent in the current budget window, and when it began. */
  private windowSent = 0;
  private windowStart = 0;
  private scrollback = "";
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Set while the terminal's output is stopped (STOP sent) until the budget window ends. */
  private resumeTimer: ReturnType<typeof setTimeout> | null = null;
  /** Output that arrived after STOP (already on its way), for the next window. */
  private held = "";
  private closing: Promise<void> | null = null;
  /** Where output goes (the attached socket); null while detached (e.g. during a page reload). */
  sink: ((data: string) => void) | null = null;
  readonly exited: Promise<number>;

  constructor(private readonly opts: SessionOptions) {
    // A lower CPU priority: whatever runs in the terminal never starves the node's own work.
    this.proc = Bun.spawn([...NICE, opts.shell, "-i"], {
      cwd: opts.cwd,
      env: opts.env,
      terminal: {
        cols: opts.cols,
        rows: opts.rows,
        name: "xterm-256color",
        data: (_term: unknown, bytes: Uint8Array) => this.onData(bytes),
      },
    } as never);
    this.exited = this.proc.exited;
  }

  get pid(): number {
    return this.proc.pid;
  }

  private get terminal() {
    return (this.proc as unknown as { terminal: { write(s: string): void; resize(c: number, r: number): void; close(): void; readonly inputFlags: number } }).terminal;
  }

  private onData(bytes: Uint8Array): void {
    this.lastActivity = Date.now();
    this.timer ??= setTimeout(() => this.flush(), this.opts.flushMs);
    const now = performance.now();
    if (!this.stopped && now - this.windowStart >= this.opts.budgetWindowMs) (this.windowStart = now), (this.windowSent = 0);
    const room = this.stopped ? 0 : Math.max(0, this.opts.maxFlushBytes - this.windowSent - this.pending.length);
    if (bytes.length <= room) {
      this.pending += this.decoder.decode(bytes, { stream: true });
      return;
    }
    // Over budget, in a shell's ordinary mode: the program is stopped until the window ends, and
    // what was already on its way (a few reads) is held for the next window. Nothing is lost.
    if (this.stopped || this.stopOutput(now)) {
      const text = this.decoder.decode(bytes, { stream: true });
      this.pending += text.slice(0, room);
      const rest = text.slice(room);
      const space = Math.max(0, HELD_MAX - this.held.length);
      this.held += rest.slice(0, space);
      if (rest.length > space) this.skipped += Buffer.byteLength(rest.slice(space));
      return;
    }
    // Where flow control is off, a flood is cut: once the window's budget is spent, bytes are only
    // counted, never decoded, so a runaway command costs the node's main thread almost nothing. One
    // read can be far larger than the whole budget (tens of KiB): it is cut inside, not let through.
    // The kept part (often none) ends the decoder's stream, so a character cut in two shows as one
    // replacement mark.
    this.skipped += bytes.length - room;
    this.pending += this.decoder.decode(bytes.subarray(0, room));
  }

  /** Output is stopped (STOP sent) until the budget window ends. */
  private get stopped(): boolean {
    return this.resumeTimer !== null;
  }

  /**
   * A flood with the budget spent: stop the program itself until the window ends, as a terminal's
   * flow control does (STOP, then START), so it waits in its write instead of keeping the node's
   * main thread reading. Only where the terminal honours them (IXON, on in a shell's ordinary
   * mode); a full-screen program that turned it off would read the characters as keys. True if
   * the output was stopped.
   */
  private stopOutput(now: number): boolean {
    if (this.closing) return false;
    let flags: number;
    try {
      flags = this.terminal.inputFlags;
    } catch {
      return false; // closed meanwhile
    }
    if ((flags & IXON) === 0) return false;
    this.terminal.write(STOP);
    this.resumeTimer = setTimeout(() => this.resumeOutput(), Math.max(0, this.windowStart + this.opts.budgetWindowMs - now));
    return true;
  }

  /**
   * The window has ended: a new one begins with what was held (a budget's worth), and the program
   * goes on once nothing is held any more.
   */
  private resumeOutput(): void {
    this.resumeTimer = null;
    if (this.closing) return;
    this.windowStart = performance.now();
    this.windowSent = 0;
    const next = this.held.slice(0, this.opts.maxFlushBytes);
    this.held = this.held.slice(next.length);
    this.pending += next;
    this.timer ??= setTimeout(() => this.flush(), this.opts.flushMs);
    if (this.held) this.resumeTimer = setTimeout(() => this.resumeOutput(), this.opts.budgetWindowMs);
    else this.terminal.write(START);
  }

  private flush(): void {
    this.timer = null;
    let out = this.pending;
    this.windowSent += out.length;
    this.pending = "";
    if (this.skipped) {
      out = `\r\n\x1b[2m[… ${this.skipped} bytes of output skipped …]\x1b[0m\r\n` + out;
      this.skipped = 0;
    }
    this.scrollback = (this.scrollback + out).slice(-this.opts.scrollbackBytes);
    this.sink?.(out);
  }

  /** What a reattaching client should draw first. */
  history(): string {
    return this.scrollback + this.pending + this.held;
  }

  write(data: string): void {
    this.lastActivity = Date.now();
    // Ctrl+C while a flood is stopped: as a terminal's interrupt flushes its output queue, what is
    // held goes and output resumes — the prompt after it need not wait for megabytes to drain.
    if (this.stopped && data.includes(INTERRUPT)) this.dropHeld();
    this.terminal.write(data);
  }

  private dropHeld(): void {
    clearTimeout(this.resumeTimer!);
    this.resumeTimer = null;
    this.held = "";
    this.terminal.write(START);
  }

  resize(cols: number, rows: number): void {
    this.terminal.resize(cols, rows);
  }

  /** Hang up the PTY (the shell sees its terminal gone and exits), then kill whatever is left in its session. */
  close(graceMs = 300): Promise<void> {
    this.closing ??= (async () => {
      const sid = this.proc.pid;
      try {
        this.terminal.close();
      } catch {
        /* already closed */
      }
      await Promise.race([this.proc.exited, Bun.sleep(graceMs)]);
      await killSession(sid);
      this.proc.kill("SIGKILL");
      await this.proc.exited;
      if (this.timer) clearTimeout(this.timer);
      if (this.resumeTimer) clearTimeout(this.resumeTimer);
    })();
    return this.closing;
  }
}
