// <pc2-desktop>: icons, windows (z-order, move, resize, minimise, maximise, close) and the taskbar.
import { LitElement, css, html, nothing, type TemplateResult } from "lit";
import { ContextProvider } from "@lit/context";
import { api, type User } from "../api/rest-client.ts";
import { Pc2WsClient } from "../api/ws-client.ts";
import { connectionContext, userContext } from "../state/contexts.ts";
import { NodeConnection } from "../state/node-connection.ts";
import { icons } from "../ui/icons.ts";
import { sharedStyles } from "../ui/shared-styles.ts";
import "../apps/files/pc2-file-explorer.ts";
import type { Entry } from "../apps/files/entry.ts";
import "../apps/editor/pc2-editor-app.ts";
import "../apps/viewer/pc2-image-viewer.ts";
import "../apps/settings/pc2-settings-app.ts";
import "../apps/terminal/pc2-terminal-app.ts";
import "../apps/wasm/pc2-wasm-app.ts";
import "../apps/ai/pc2-ai-chat.ts";
import { openerFor } from "../apps/file-types.ts";
import "./pc2-window.ts";
import "../ui/pc2-toasts.ts";
import type { Pc2Toasts } from "../ui/pc2-toasts.ts";
import type { WindowGeometry } from "./pc2-window.ts";

interface AppDef {
  id: string;
  title: string;
  icon: unknown;
  render: (user: User | null) => TemplateResult;
  /** Shown only to these roles (the node refuses others anyway); everyone when absent. */
  roles?: User["role"][];
  /** The Ctrl+Alt shortcut; the title's first letter when absent. */
  key?: string;
}

interface OpenWindow {
  id: string;
  /** What the window shows: an app, or an app opened on a file. */
  app: Pick<AppDef, "title" | "render">;
  geometry: WindowGeometry;
  z: number;
  minimized: boolean;
  maximized: boolean;
}

const shortcut = (a: AppDef) => (a.key ?? a.title[0]!).toLowerCase();

const APPS: AppDef[] = [
  { id: "files", title: "Files", icon: icons.files, render: () => html`<pc2-file-explorer></pc2-file-explorer>` },
  { id: "settings", title: "Settings", icon: icons.settings, render: (user) => html`<pc2-settings-app .user=${user}></pc2-settings-app>` },
  { id: "terminal", title: "Terminal", icon: icons.terminal, render: () => html`<pc2-terminal-app></pc2-terminal-app>`, roles: ["owner"] },
  // Ctrl+Alt+A is WASM Apps (Ctrl+Alt+W closes a window), so AI Chat is Ctrl+Alt+C.
  { id: "ai", title: "AI Chat", icon: icons.ai, render: () => html`<pc2-ai-chat></pc2-ai-chat>`, key: "c" },
  { id: "wasm", title: "WASM Apps", icon: icons.wasm, render: () => html`<pc2-wasm-app></pc2-wasm-app>`, roles: ["owner", "admin"], key: "a" },
];

export class Pc2Desktop extends LitElement {
  static override properties = { user: { attribute: false }, windows: { state: true } };
  user: User | null = null;
  windows: OpenWindow[] = [];
  /** The tab's one connection to the node, opened when an app first needs it; closed with the desktop. */
  private readonly connection = new NodeConnection(Pc2WsClient.urlFor(location.origin));
  private readonly provideConnection = new ContextProvider(this, { context: connectionContext, initialValue: this.connection });
  private readonly provideUser = new ContextProvider(this, { context: userContext, initialValue: null });
  private nextZ = 1;
  private nextId = 1;

  static override styles = [
    sharedStyles,
    css`
      :host { display: block; position: relative; height: 100%; --pc2-taskbar-h: 48px;
        background: radial-gradient(circle at 30% 20%, #1c2a4a, var(--pc2-bg) 60%); }
      .icons { position: absolute; inset: 0 0 var(--pc2-taskbar-h) 0; padding: 1rem; display: grid; grid-auto-flow: column;
        grid-template-rows: repeat(auto-fill, 96px); grid-auto-columns: 88px; gap: 0.5rem; align-content: start; }
      .icons button { background: none; border: none; display: grid; justify-items: center; gap: 0.3rem; padding: 0.4rem; border-radius: 8px; }
      .icons button:hover { background: rgba(255, 255, 255, 0.06); }
      .icons .glyph { width: 48px; height: 48px; }
      nav { position: absolute; left: 0; right: 0; bottom: 0; height: var(--pc2-taskbar-h); display: flex; align-items: center; gap: 0.4rem;
        padding: 0 0.5rem; background: rgba(15, 20, 32, 0.92); border-top: 1px solid var(--pc2-border); z-index: 100000; }
      /* Launchers and running windows scroll inside their own strips; the account never leaves the screen. */
      nav .launch { display: flex; gap: 0.3rem; flex: 0 1 auto; min-width: 0; overflow-x: auto; scrollbar-width: none; }
      nav .running { display: flex; gap: 0.3rem; flex: 1 1 0; min-width: 0; overflow-x: auto; scrollbar-width: none; }
      nav .launch button, nav .running button { flex: none; white-space: nowrap; }
      nav .running button[aria-pressed="true"] { border-color: var(--pc2-accent); }
      nav .account { display: flex; align-items: center; gap: 0.4rem; flex: none; }
      nav .who { font-size: 0.8rem; max-width: 9rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      @media (max-width: 600px) { nav .who .addr { display: none; } nav .launch { max-width: 45%; } }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("keydown", this.onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("keydown", this.onKey);
    this.connection.close();
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("user")) this.provideUser.setValue(this.user);
  }

  /** Ctrl+Alt+F opens Files, Ctrl+Alt+S Settings; Ctrl+Alt+W closes the active window; Ctrl+Alt+→ cycles windows. */
  private onKey = (e: KeyboardEvent) => {
    if (!(e.ctrlKey && e.altKey)) return;
    const key = e.key.toLowerCase();
    const app = this.apps.find((a) => shortcut(a) === key);
    if (app) this.open(app);
    else if (key === "w" && this.active) this.close(this.active.id);
    else if (key === "arrowright" && this.windows.length) {
      // The window that has been in the back the longest comes to the front (and is restored).
      const back = [...this.windows].sort((a, b) => a.z - b.z)[0]!;
      this.focus_(back.id);
    } else return;
    e.preventDefault();
  };

  private get apps(): AppDef[] {
    return APPS.filter((a) => !a.roles || (this.user !== null && a.roles.includes(this.user.role)));
  }

  private get active(): OpenWindow | undefined {
    return this.windows.filter((w) => !w.minimized).sort((a, b) => b.z - a.z)[0];
  }

  open(app: Pick<AppDef, "title" | "render">): void {
    const n = this.windows.length;
    const win: OpenWindow = {
      id: `w${this.nextId++}`,
      app,
      geometry: { x: 80 + n * 28, y: 40 + n * 28, w: Math.min(760, innerWidth - 40), h: Math.min(480, innerHeight - 120) },
      z: this.nextZ++,
      minimized: false,
      maximized: false,
    };
    this.windows = [...this.windows, win];
  }

  private update_(id: string, change: Partial<OpenWindow>): void {
    this.windows = this.windows.map((w) => (w.id === id ? { ...w, ...change } : w));
  }

  private focus_(id: string): void {
    if (this.active?.id !== id) this.update_(id, { z: this.nextZ++, minimized: false });
    // Keyboard focus follows: the window itself takes it.
    void this.updateComplete.then(() => (this.renderRoot.querySelector(`pc2-window[window-id="${id}"]`) as HTMLElement | null)?.focus());
  }

  /** Close, unless the app inside says no (an editor with unsaved changes shows its guard instead). */
  private close(id: string, force = false): void {
    const app = this.renderRoot.querySelector(`pc2-window[window-id="${id}"] > *`) as (Element & { canClose?: () => boolean }) | null;
    if (!force && app?.canClose && !app.canClose()) return this.focus_(id);
    this.windows = this.windows.filter((w) => w.id !== id);
  }

  /** Open a file in the app for its type, or download it. */
  private openFile(e: CustomEvent<Entry>): void {
    const file = e.detail;
    const how = openerFor(file.name, file.type);
    if (how === "download") {
      const a = document.createElement("a");
      a.href = `/read?file=${encodeURIComponent(file.uid)}`;
      a.download = file.name;
      a.click();
      return;
    }
    const render = how === "editor" ? () => html`<pc2-editor-app .file=${file}></pc2-editor-app>` : () => html`<pc2-image-viewer .file=${file}></pc2-image-viewer>`;
    this.open({ title: file.name, render });
  }

  /** An app asked to show a folder (e.g. the WASM app's results): a Files window opened there. */
  private openFolder(e: CustomEvent<string>): void {
    const folder = e.detail;
    this.open({ title: "Files", render: () => html`<pc2-file-explorer .path=${folder}></pc2-file-explorer>` });
  }

  /** An app asked to close its own window (after its own confirmation). */
  private appClose(e: Event): void {
    const win = e.composedPath().find((n) => (n as Element).tagName === "PC2-WINDOW") as Element | undefined;
    if (win) this.close(win.getAttribute("window-id")!, true);
  }

  private async signOut(): Promise<void> {
    await api.logout().catch(() => undefined);
    this.dispatchEvent(new CustomEvent("signed-out", { bubbles: true, composed: true }));
  }

  override render() {
    const active = this.active?.id;
    return html`<div class="root" @open-file=${this.openFile} @open-folder=${this.openFolder} @app-close=${this.appClose}
      @toast=${(e: CustomEvent<{ text: string; kind: "info" | "error" }>) => (this.renderRoot.querySelector("pc2-toasts") as Pc2Toasts | null)?.show(e.detail.text, e.detail.kind)}>
      <div class="icons" role="list" aria-label="Desktop">
        ${this.apps.map(
          (a) => html`<button role="listitem" @dblclick=${() => this.open(a)} @keydown=${(e: KeyboardEvent) => e.key === "Enter" && this.open(a)}>
          <span class="glyph">${a.icon}</span><span>${a.title}</span></button>`,
        )}
      </div>
      ${this.windows.map((w) =>
        w.minimized
          ? nothing
          : html`<pc2-window window-id=${w.id} .heading=${w.app.title} .geometry=${w.geometry} .z=${w.z} ?maximized=${w.maximized} ?active=${w.id === active}
              @window-focus=${() => this.focus_(w.id)} @window-close=${() => this.close(w.id)}
              @window-minimize=${() => this.update_(w.id, { minimized: true })}
              @window-maximize=${() => this.update_(w.id, { maximized: !w.maximized })}
              @window-geometry=${(e: CustomEvent<{ geometry: WindowGeometry }>) => this.update_(w.id, { geometry: e.detail.geometry })}
            >${w.app.render(this.user)}</pc2-window>`,
      )}
      <nav aria-label="Taskbar">
        <div class="launch">
          ${this.apps.map((a) => html`<button aria-label=${`Open ${a.title}`} title=${`Open ${a.title} (Ctrl+Alt+${shortcut(a).toUpperCase()})`} @click=${() => this.open(a)}>+ ${a.title}</button>`)}
        </div>
        <div class="running" role="list">
          ${this.windows.map((w) => html`<button role="listitem" aria-pressed=${String(w.id === active)} @click=${() => (w.id === active ? this.update_(w.id, { minimized: true }) : this.focus_(w.id))}>${w.app.title}</button>`)}
        </div>
        <div class="account">
          <span class="who mono muted" data-testid="account" title=${this.user?.address ?? ""}>${this.user?.role}<span class="addr"> · ${this.user?.address.slice(0, 6)}…${this.user?.address.slice(-4)}</span></span>
          <button @click=${() => this.signOut()}>Sign out</button>
        </div>
      </nav>
      <pc2-toasts></pc2-toasts>
    </div>`;
  }
}

customElements.define("pc2-desktop", Pc2Desktop);

declare global {
  interface HTMLElementTagNameMap {
    "pc2-desktop": Pc2Desktop;
  }
}
