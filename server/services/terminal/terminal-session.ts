// One PTY (Bun.spawn with a terminal): coalesced output, capped scrollback, and a teardown that leaves no orphans.
import type { Subprocess } from "bun";
import { randomBytes } from "node:crypto";
import { lowPriority } from "../../low-priority.ts";
import { killSession } from "./process-session.ts";

const NICE = lowPriority(5);

export interface SessionOptions {
  shell: string;
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
  /** Output is delivered at most this often… */
  flushMs: number;
  /** …and at most this much per budget window: beyond it a flood is cut, never buffered (the node and browser stay responsive). */
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
    return (this.proc as unknown as { terminal: { write(s: string): void; resize(c: number, r: number): void; close(): void } }).terminal;
  }

  private onData(bytes: Uint8Array): void {
    this.lastActivity = Date.now();
    this.timer ??= setTimeout(() => this.flush(), this.opts.flushMs);
    // A flood: once the window's budget is spent, bytes are only counted, never decoded, so a
    // runaway command costs the node's main thread almost nothing.
    const now = performance.now();
    if (now - this.windowStart >= this.opts.budgetWindowMs) (this.windowStart = now), (this.windowSent = 0);
    const room = this.opts.maxFlushBytes - this.windowSent - this.pending.length;
    if (bytes.length <= room) {
      this.pending += this.decoder.decode(bytes, { stream: true });
      return;
    }
    // Over budget. One read can be far larger than the whole budget (tens of KiB): it is cut
    // inside, not let through. The kept part (often none) ends the decoder's stream, so a character
    // cut in two shows as one replacement mark.
    this.skipped += bytes.length - room;
    this.pending += this.decoder.decode(bytes.subarray(0, room));
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
    return this.scrollback + this.pending;
  }

  write(data: string): void {
    this.lastActivity = Date.now();
    this.terminal.write(data);
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
    })();
    return this.closing;
  }
}
