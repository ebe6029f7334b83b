// <pc2-terminal-app>: xterm.js on a PTY of the node. Resizes with its window; reattaches after a reload.
import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import xtermCss from "@xterm/xterm/css/xterm.css" with { type: "text" };
import { LitElement, css, html, unsafeCSS } from "lit";
import { ContextConsumer } from "@lit/context";
import { RpcError } from "../../api/ws-client.ts";
import { connectionContext } from "../../state/contexts.ts";
import { sharedStyles } from "../../ui/shared-styles.ts";

export class Pc2TerminalApp extends LitElement {
  static override properties = { problem: { state: true } };
  problem: string | null = null;
  private term: Terminal | null = null;
  private fit = new FitAddon();
  private readonly connection = new ContextConsumer(this, { context: connectionContext });
  private offs: (() => void)[] = [];
  private termId: string | null = null;
  private resizer: ResizeObserver | null = null;

  static override styles = [
    sharedStyles,
    unsafeCSS(xtermCss),
    css`
      :host { display: block; height: 100%; background: #0b0f18; }
      #term { height: 100%; padding: 0.3rem; }
      [role="alert"] { padding: 1rem; }
    `,
  ];

  override async firstUpdated(): Promise<void> {
    const el = this.renderRoot.querySelector("#term") as HTMLElement;
    this.term = new Terminal({ cursorBlink: true, scrollback: 5000, fontSize: 14, theme: { background: "#0b0f18" } });
    this.term.loadAddon(this.fit);
    // The desktop's shortcuts (Ctrl+Alt+…: open an app, close or switch windows) are the desktop's,
    // not the shell's: xterm leaves them alone and they reach the desktop. Tab stays the shell's.
    this.term.attachCustomKeyEventHandler((e) => !(e.ctrlKey && e.altKey));
    this.term.open(el);
    this.fit.fit();
    // Keys typed before the node's terminal is ready are queued, never lost.
    const early: string[] = [];
    const typed = this.term.onData((data) => void early.push(data));
    try {
      await this.connect();
    } catch (err) {
      this.problem =
        err instanceof RpcError && ["insufficient_role", "terminal_owner_only"].includes(err.appCode ?? "")
          ? "The terminal is only for the node's owner."
          : `The terminal could not start: ${(err as Error).message}`;
      return;
    }
    typed.dispose();
    const send = (data: string) => void this.connection.value?.call("terminal.input", { id: this.termId, data }).catch(() => undefined);
    if (early.length) send(early.join(""));
    this.term.onData(send);
    this.resizer = new ResizeObserver(() => {
      this.fit.fit();
      if (this.termId && this.term) void this.connection.value?.call("terminal.resize", { id: this.termId, cols: this.term.cols, rows: this.term.rows }).catch(() => undefined);
    });
    this.resizer.observe(el);
    this.term.focus();
  }

  /** Attach to a live terminal left by a reload, else open a new one. */
  private async connect(): Promise<void> {
    const ws = this.connection.value;
    if (!ws) throw new Error("not connected to the node");
    this.offs.push(
      ws.on("terminal.data", (p) => {
        const { id, data } = p as { id: string; data: string };
        if (id === this.termId) this.term?.write(data);
      }),
      ws.on("terminal.exit", (p) => {
        const { id, code } = p as { id: string; code: number };
        if (id === this.termId) this.term?.write(`\r\n\x1b[2m[the shell exited with code ${code}]\x1b[0m\r\n`);
      }),
      // The connection dropped and came back: the node detached this terminal; take it back.
      ws.onReopen(() => void this.reattach()),
    );
    const { terminals } = await ws.call<{ terminals: { id: string; attached: boolean }[] }>("terminal.list");
    const detached = terminals.find((t) => !t.attached);
    if (detached) {
      const { history } = await ws.call<{ history: string }>("terminal.attach", { id: detached.id });
      this.termId = detached.id;
      this.term!.write(history);
      await ws.call("terminal.resize", { id: this.termId, cols: this.term!.cols, rows: this.term!.rows });
    } else {
      this.termId = (await ws.call<{ id: string }>("terminal.open", { cols: this.term!.cols, rows: this.term!.rows })).id;
    }
  }

  private async reattach(): Promise<void> {
    const ws = this.connection.value;
    if (!ws || !this.termId || !this.term) return;
    const { history } = await ws.call<{ history: string }>("terminal.attach", { id: this.termId }).catch(() => ({ history: "" }));
    this.term.reset();
    this.term.write(history);
  }

  /** Closing the window hangs the terminal up (a reload, by contrast, leaves it to reattach). */
  canClose(): boolean {
    if (this.termId) void this.connection.value?.call("terminal.close", { id: this.termId }).catch(() => undefined);
    return true;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizer?.disconnect();
    for (const off of this.offs) off();
    this.term?.dispose();
  }

  override render() {
    return this.problem ? html`<p role="alert" class="error">${this.problem}</p>` : html`<div id="term" data-testid="terminal"></div>`;
  }
}

customElements.define("pc2-terminal-app", Pc2TerminalApp);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-terminal-app": Pc2TerminalApp;
  }
}
