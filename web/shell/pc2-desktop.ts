// <pc2-desktop>: icons, windows (z-order, move, resize, minimise, maximise, close) and the taskbar.
// On a phone or a tablet (a narrow screen or a touch screen) it is compact: one window at a time,
// full screen; a tap opens; the bottom bar has an app launcher, the open windows and the account.
// Focus moves into a window when it opens and back to where it was when the window closes.
import { registerDownloadWorker } from "../apps/files/zip-download.ts";
import { LitElement, css, html, nothing } from "lit";
import { ContextProvider } from "@lit/context";
import { api, type User } from "../api/rest-client.ts";
import { Pc2WsClient } from "../api/ws-client.ts";
import { connectionContext, userContext } from "../state/contexts.ts";
import { NodeConnection } from "../state/node-connection.ts";
import { icons } from "../ui/icons.ts";
import { APPS, type AppDef, shortcut } from "./desktop-apps.ts";
import { sharedStyles } from "../ui/shared-styles.ts";
// Folders open in Files here too (desktop-apps.ts registers it as well).
import "../apps/files/pc2-file-explorer.ts";
import { type Entry, formatSize } from "../apps/files/entry.ts";
import "../apps/editor/pc2-editor-app.ts";
import "../apps/viewer/pc2-image-viewer.ts";
import "../apps/viewer/pc2-media-viewer.ts";
import "../apps/viewer/pc2-file-info.ts";
import { openerFor } from "../apps/file-types.ts";
import "./pc2-window.ts";
import "../ui/pc2-toasts.ts";
import type { Pc2Toasts, ToastAction } from "../ui/pc2-toasts.ts";
import type { WindowGeometry } from "./pc2-window.ts";
import { forgetWindows, type RememberedWindow, rememberedWindows, rememberWindows, type WindowContent } from "./window-memory.ts";

interface OpenWindow {
  id: string;
  /** What had keyboard focus when the window opened: it gets it back when the window closes. */
  returnFocus: HTMLElement | null;
  /** What the window shows: an app, a file in the app for its type, or a folder. */
  content: WindowContent;
  app: Pick<AppDef, "title" | "render">;
  geometry: WindowGeometry;
  z: number;
  minimized: boolean;
  maximized: boolean;
}

/** Phones and tablets: narrow, or touch only. */
const COMPACT = "(max-width: 820px), (hover: none) and (pointer: coarse)";

/** The element that really has focus, through shadow roots. */
function deepActiveElement(): HTMLElement | null {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el instanceof HTMLElement ? el : null;
}

/**
 * Where the n-th window opens: right of the icons' column (so it never covers them), cascading,
 * about two thirds of a laptop's screen and never past its edges or under the taskbar.
 */
function newWindowGeometry(n: number): WindowGeometry {
  const step = (n % 8) * 28;
  const x = Math.min(120 + step, Math.max(0, innerWidth - 360));
  const y = 24 + step;
  return { x, y, w: Math.max(320, Math.min(960, innerWidth - x - 40)), h: Math.max(240, Math.min(620, innerHeight - y - 100)) };
}

export class Pc2Desktop extends LitElement {
  static override properties = { user: { attribute: false }, windows: { state: true }, compact: { state: true }, panel: { state: true }, notices: { state: true } };
  /** Every notice of this session, newest first (the notifications centre); `read` once the list was seen. */
  notices: { id: number; text: string; kind: "info" | "error"; at: Date; read: boolean }[] = [];
  private nextNotice = 1;
  user: User | null = null;
  windows: OpenWindow[] = [];
  compact = matchMedia(COMPACT).matches;
  /** The bottom bar's open panel: the app launcher or the account (compact), or the notifications. */
  panel: "apps" | "account" | "notices" | null = null;
  private readonly media = matchMedia(COMPACT);
  private readonly onMedia = () => (this.compact = this.media.matches);
  /** The tab's one connection to the node, opened when an app first needs it; closed with the desktop. */
  private readonly connection = new NodeConnection(Pc2WsClient.urlFor(location.origin));
  private readonly provideConnection = new ContextProvider(this, { context: connectionContext, initialValue: this.connection });
  private readonly provideUser = new ContextProvider(this, { context: userContext, initialValue: null });
  private nextZ = 1;
  private readonly nodeOffs: (() => void)[] = [];
  /** The remembered windows were brought back (after that, every change is remembered). */
  private restored = false;
  private nextId = 1;

  static override styles = [
    sharedStyles,
    css`
      :host { display: block; position: relative; height: 100%; --pc2-taskbar-h: 48px;
        background: var(--pc2-desktop-bg); }
      .icons { position: absolute; inset: 0 0 var(--pc2-taskbar-h) 0; padding: 1rem; display: grid; grid-auto-flow: column;
        grid-template-rows: repeat(auto-fill, 96px); grid-auto-columns: 88px; gap: 0.5rem; align-content: start; }
      .icons [role="listitem"] { display: grid; }
      .icons button { background: none; border: none; display: grid; justify-items: center; gap: 0.3rem; padding: 0.4rem; border-radius: 8px; }
      .icons button:hover { background: var(--pc2-hover); }
      .icons .glyph { width: 48px; height: 48px; }
      nav { position: absolute; left: 0; right: 0; bottom: 0; height: var(--pc2-taskbar-h); display: flex; align-items: center; gap: 0.4rem;
        padding: 0 0.5rem; background: var(--pc2-bar-bg); border-top: 1px solid var(--pc2-border); z-index: 100000; }
      /* Launchers and running windows scroll inside their own strips; the account never leaves the screen. */
      nav .launch { display: flex; gap: 0.3rem; flex: 0 1 auto; min-width: 0; overflow-x: auto; scrollbar-width: none; }
      nav .running { display: flex; gap: 0.3rem; flex: 1 1 0; min-width: 0; overflow-x: auto; scrollbar-width: none; }
      nav .launch button, nav .running button, nav .running > div { flex: none; white-space: nowrap; }
      nav .running button[aria-pressed="true"] { border-color: var(--pc2-accent); }
      nav .account { display: flex; align-items: center; gap: 0.4rem; flex: none; }
      nav .who { font-size: 0.8rem; max-width: 9rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      @media (max-width: 600px) { nav .who .addr { display: none; } nav .launch { max-width: 45%; } }
      /* Compact: touch-sized targets, a launcher and an account panel above the bar. */
      :host([compact]) { --pc2-taskbar-h: 56px; }
      :host([compact]) nav button { min-height: 44px; min-width: 44px; }
      :host([compact]) .icons { grid-auto-flow: row; grid-template-columns: repeat(auto-fill, minmax(88px, 1fr)); grid-template-rows: none; grid-auto-rows: 104px; }
      :host([compact]) .icons button { min-height: 44px; }
      .sheet { position: absolute; left: 0.5rem; right: 0.5rem; bottom: calc(var(--pc2-taskbar-h) + 0.5rem); z-index: 100001;
        background: var(--pc2-card); border: 1px solid var(--pc2-border); border-radius: var(--pc2-radius); padding: 1rem;
        box-shadow: var(--pc2-shadow); max-height: 70vh; overflow: auto; }
      .sheet h2 { margin: 0 0 0.75rem; font-size: 1rem; }
      .sheet .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(96px, 1fr)); gap: 0.5rem; }
      .sheet .grid button { display: grid; justify-items: center; gap: 0.3rem; min-height: 88px; background: var(--pc2-card-2); }
      .sheet .grid .glyph { width: 40px; height: 40px; }
      .sheet .stack { display: grid; gap: 0.6rem; }
      .sheet .stack button { min-height: 44px; }
      .sheet.notices { left: auto; width: min(24rem, calc(100% - 1rem)); }
      .notices ul { list-style: none; margin: 0 0 0.75rem; padding: 0; display: grid; gap: 0.4rem; }
      .notices li { display: flex; justify-content: space-between; gap: 0.75rem; border-left: 3px solid var(--pc2-accent); padding: 0.3rem 0.5rem; background: var(--pc2-card-2); border-radius: 6px; }
      .notices li.error { border-left-color: var(--pc2-bad); }
      nav .bell { position: relative; display: inline-grid; place-items: center; }
      nav .bell .badge { position: absolute; top: -4px; right: -4px; min-width: 1.2rem; height: 1.2rem; border-radius: 0.6rem; background: #b42323; color: #fff;
        font-size: 0.72rem; line-height: 1.2rem; text-align: center; padding: 0 0.25rem; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("keydown", this.onKey);
    this.media.addEventListener("change", this.onMedia);
    void this.listenToNode();
    registerDownloadWorker();
  }

  /** The node's own news for this user, as notices: how a backup ended (the Owner), a restart coming. */
  private async listenToNode(): Promise<void> {
    const say = (text: string, kind: "info" | "error" = "info") => this.notify(new CustomEvent("toast", { detail: { text, kind } }));
    this.nodeOffs.push(
      this.connection.on("backup.finished", (p) => {
        const r = p as { ok: boolean; destination: string; bytesWritten: number; error: string | null };
        say(r.ok ? `Backed up to ${r.destination} (${formatSize(r.bytesWritten)} written)` : `The backup to ${r.destination} failed: ${r.error}`, r.ok ? "info" : "error");
      }),
      this.connection.on("node.stopping", (p) => {
        const reason = (p as { reason: string }).reason;
        say(reason === "update" || reason === "rollback" ? `PC2 is restarting for an ${reason === "update" ? "update" : "rollback"}; it will be back shortly` : "PC2 is stopping");
      }),
    );
    try {
      this.nodeOffs.push(await this.connection.subscribe("node"));
    } catch {
      /* notices from the node are a nicety */
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("keydown", this.onKey);
    this.media.removeEventListener("change", this.onMedia);
    for (const off of this.nodeOffs.splice(0)) off();
    this.connection.close();
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("user")) this.provideUser.setValue(this.user);
    if (changed.has("user") && this.user && !this.restored) {
      this.restored = true;
      this.restoreWindows();
    }
    if (changed.has("compact")) this.toggleAttribute("compact", this.compact);
  }

  /** Ctrl+Alt+F opens Files, Ctrl+Alt+S Settings; Ctrl+Alt+W closes the active window; Ctrl+Alt+→ cycles windows. */
  private onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape" && this.panel) {
      this.closePanel();
      return e.preventDefault();
    }
    if (!(e.ctrlKey && e.altKey)) return;
    const key = e.key.toLowerCase();
    const app = this.apps.find((a) => shortcut(a) === key);
    if (app) this.open({ kind: "app", id: app.id });
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

  /** The title and the app for what a window shows (null: an app this user may not open). */
  private appFor(content: WindowContent): Pick<AppDef, "title" | "render"> | null {
    if (content.kind === "app") {
      const app = this.apps.find((a) => a.id === content.id) ?? null;
      void app?.load?.();
      return app;
    }
    if (content.kind === "folder") return { title: "Files", render: () => html`<pc2-file-explorer .path=${content.path}></pc2-file-explorer>` };
    const file = content.entry;
    const opener = openerFor(file.name, file.type);
    const render = {
      editor: () => html`<pc2-editor-app .file=${file}></pc2-editor-app>`,
      viewer: () => html`<pc2-image-viewer .file=${file}></pc2-image-viewer>`,
      audio: () => html`<pc2-media-viewer .file=${file} kind="audio"></pc2-media-viewer>`,
      video: () => html`<pc2-media-viewer .file=${file} kind="video"></pc2-media-viewer>`,
      pdf: () => html`<pc2-pdf-viewer .file=${file}></pc2-pdf-viewer>`,
      info: () => html`<pc2-file-info .file=${file}></pc2-file-info>`,
    }[opener];
    // pdf.js (and its worker) come in with the first PDF opened.
    if (opener === "pdf") void import("../apps/viewer/pc2-pdf-viewer.ts");
    return { title: file.name, render };
  }

  open(content: WindowContent, restored?: RememberedWindow): void {
    const app = this.appFor(content);
    if (!app) return;
    const n = this.windows.length;
    const returnFocus = restored ? null : deepActiveElement();
    this.panel = null;
    const win: OpenWindow = {
      id: `w${this.nextId++}`,
      returnFocus,
      content,
      app,
      geometry: restored?.geometry ?? newWindowGeometry(n),
      z: this.nextZ++,
      minimized: restored?.minimized ?? false,
      maximized: restored?.maximized ?? false,
    };
    this.windows = [...this.windows, win];
    if (!restored) this.focus_(win.id);
  }

  /** Bring back the windows this user had open in this browser, in their order, where they were. */
  private restoreWindows(): void {
    if (!this.user) return;
    for (const w of rememberedWindows(this.user.address)) this.open(w.content, w);
    if (this.active) this.focus_(this.active.id);
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has("windows") && this.user && this.restored) {
      const inOrder = [...this.windows].sort((a, b) => a.z - b.z);
      rememberWindows(
        this.user.address,
        inOrder.map((w) => ({ content: w.content, geometry: w.geometry, minimized: w.minimized, maximized: w.maximized })),
      );
    }
  }

  private update_(id: string, change: Partial<OpenWindow>): void {
    this.windows = this.windows.map((w) => (w.id === id ? { ...w, ...change } : w));
  }

  private focus_(id: string): void {
    this.panel = null;
    if (this.active?.id !== id) this.update_(id, { z: this.nextZ++, minimized: false });
    // Keyboard focus follows: the window itself takes it.
    void this.updateComplete.then(() => (this.renderRoot.querySelector(`pc2-window[window-id="${id}"]`) as HTMLElement | null)?.focus());
  }

  /** Close, unless the app inside says no (an editor with unsaved changes shows its guard instead). */
  private close(id: string, force = false): void {
    const app = this.renderRoot.querySelector(`pc2-window[window-id="${id}"] > *`) as (Element & { canClose?: () => boolean }) | null;
    if (!force && app?.canClose && !app.canClose()) return this.focus_(id);
    const closing = this.windows.find((w) => w.id === id);
    this.windows = this.windows.filter((w) => w.id !== id);
    // Focus goes back where it was (the icon or button that opened it), else to the window now in front.
    void this.updateComplete.then(() => {
      if (closing?.returnFocus?.isConnected) closing.returnFocus.focus();
      else if (this.active) this.focus_(this.active.id);
      else (this.renderRoot.querySelector(".icons button") as HTMLElement | null)?.focus();
    });
  }

  /** Minimise: the window goes to the taskbar, focus to the one now in front (or the desktop). */
  private minimize(id: string): void {
    this.update_(id, { minimized: true });
    void this.updateComplete.then(() => {
      if (this.active) this.focus_(this.active.id);
      else (this.renderRoot.querySelector(".icons button") as HTMLElement | null)?.focus();
    });
  }

  private togglePanel(panel: "apps" | "account" | "notices"): void {
    this.panel = this.panel === panel ? null : panel;
    if (this.panel === "notices") {
      this.notices = this.notices.map((n) => (n.read ? n : { ...n, read: true }));
      (this.renderRoot.querySelector("pc2-toasts") as Pc2Toasts | null)?.clear();
    }
    if (this.panel) void this.updateComplete.then(() => (this.renderRoot.querySelector(".sheet button") as HTMLElement | null)?.focus());
  }

  private closePanel(): void {
    const was = this.panel;
    this.panel = null;
    void this.updateComplete.then(() => (this.renderRoot.querySelector(`nav [data-panel="${was}"]`) as HTMLElement | null)?.focus());
  }

  private async copyAddress(): Promise<void> {
    await navigator.clipboard?.writeText(this.user?.address ?? "").catch(() => undefined);
    (this.renderRoot.querySelector("pc2-toasts") as Pc2Toasts | null)?.show("Address copied");
  }

  /** Open a file in the app for its type; what the desktop cannot show opens as its details with Download. */
  private openFile(e: CustomEvent<Entry>): void {
    this.open({ kind: "file", entry: e.detail });
  }

  /** An app asked to show a folder (e.g. the WASM app's results): a Files window opened there. */
  private openFolder(e: CustomEvent<string>): void {
    this.open({ kind: "folder", path: e.detail });
  }

  /** An app changed what it shows (the image viewer's Next): its window's title follows. */
  private appTitle(e: CustomEvent<string>): void {
    const win = e.composedPath().find((n) => (n as Element).tagName === "PC2-WINDOW") as Element | undefined;
    const id = win?.getAttribute("window-id");
    const w = this.windows.find((x) => x.id === id);
    if (w) this.update_(w.id, { app: { ...w.app, title: String(e.detail).slice(0, 200) } });
  }

  /** An app asked to close its own window (after its own confirmation). */
  private appClose(e: Event): void {
    const win = e.composedPath().find((n) => (n as Element).tagName === "PC2-WINDOW") as Element | undefined;
    if (win) this.close(win.getAttribute("window-id")!, true);
  }

  private async signOut(): Promise<void> {
    if (this.user) forgetWindows(this.user.address);
    await api.logout().catch(() => undefined);
    this.dispatchEvent(new CustomEvent("signed-out", { bubbles: true, composed: true }));
  }

  private sheet() {
    if (this.panel === "apps")
      return html`<div class="sheet" role="dialog" aria-label="Apps">
        <h2>Apps</h2>
        <div class="grid">${this.apps.map((a) => html`<button @click=${() => this.open({ kind: "app", id: a.id })}><span class="glyph">${a.icon}</span><span>${a.title}</span></button>`)}</div>
      </div>`;
    if (this.panel === "account")
      return html`<div class="sheet" role="dialog" aria-label="Account">
        <div class="stack">
          <div><strong>${this.user?.role}</strong></div>
          <div class="mono muted" data-testid="account-address">${this.user?.address}</div>
          <button @click=${() => this.copyAddress()}>Copy address</button>
          <button @click=${() => this.signOut()}>Sign out</button>
        </div>
      </div>`;
    if (this.panel === "notices")
      return html`<div class="sheet notices" role="dialog" aria-label="Notifications">
        <h2>Notifications</h2>
        ${
          this.notices.length
            ? html`<ul>${this.notices.map((n) => html`<li class=${n.kind}><span>${n.text}</span><time class="muted">${n.at.toLocaleTimeString()}</time></li>`)}</ul>
              <button @click=${() => (this.notices = [])}>Clear all</button>`
            : html`<p class="muted">Nothing yet. Uploads, shares, deletions and errors are listed here.</p>`
        }
      </div>`;
    return nothing;
  }

  /** A notice: shown for a moment, and kept in the notifications centre. */
  private notify(e: CustomEvent<{ text: string; kind: "info" | "error"; action?: ToastAction }>): void {
    const { text, kind, action } = e.detail;
    // With the centre open, the notice appears there rather than over it.
    if (this.panel !== "notices") (this.renderRoot.querySelector("pc2-toasts") as Pc2Toasts | null)?.show(text, kind, action);
    this.notices = [{ id: this.nextNotice++, text, kind, at: new Date(), read: this.panel === "notices" }, ...this.notices].slice(0, 100);
  }

  override render() {
    const active = this.active?.id;
    const compact = this.compact;
    const short = `${this.user?.address.slice(0, 6)}…${this.user?.address.slice(-4)}`;
    return html`<div class="root" @open-file=${this.openFile} @open-folder=${this.openFolder} @app-close=${this.appClose} @app-title=${this.appTitle}
      @toast=${this.notify}>
      <div class="icons" role="list" aria-label="Desktop">
        ${this.apps.map(
          (a) => html`<div role="listitem"><button @click=${() => compact && this.open({ kind: "app", id: a.id })} @dblclick=${() => !compact && this.open({ kind: "app", id: a.id })}
            @keydown=${(e: KeyboardEvent) => e.key === "Enter" && ((e.preventDefault(), this.open({ kind: "app", id: a.id })))}>
          <span class="glyph">${a.icon}</span><span>${a.title}</span></button></div>`,
        )}
      </div>
      ${this.windows.map((w) =>
        w.minimized
          ? nothing
          : html`<pc2-window window-id=${w.id} .heading=${w.app.title} .geometry=${w.geometry} .z=${w.z} ?maximized=${w.maximized || compact} ?compact=${compact}
              ?hidden=${compact && w.id !== active} ?active=${w.id === active}
              @window-focus=${() => this.focus_(w.id)} @window-close=${() => this.close(w.id)}
              @window-minimize=${() => this.minimize(w.id)}
              @window-maximize=${() => this.update_(w.id, { maximized: !w.maximized })}
              @window-geometry=${(e: CustomEvent<{ geometry: WindowGeometry }>) => this.update_(w.id, { geometry: e.detail.geometry })}
            >${w.app.render(this.user)}</pc2-window>`,
      )}
      ${this.sheet()}
      <nav aria-label="Taskbar">
        ${
          compact
            ? html`<button data-panel="apps" aria-haspopup="dialog" aria-expanded=${String(this.panel === "apps")} @click=${() => this.togglePanel("apps")}>Apps</button>`
            : html`<div class="launch">
              ${this.apps.map((a) => html`<button aria-label=${`Open ${a.title}`} title=${`Open ${a.title} (Ctrl+Alt+${shortcut(a).toUpperCase()})`} @click=${() => this.open({ kind: "app", id: a.id })}>+ ${a.title}</button>`)}
            </div>`
        }
        <div class="running" role="list" aria-label="Open windows">
          ${this.windows.map((w) => html`<div role="listitem"><button aria-pressed=${String(w.id === active)} @click=${() => (w.id === active ? this.minimize(w.id) : this.focus_(w.id))}>${w.app.title}</button></div>`)}
        </div>
        <div class="account">
          ${(() => {
            const unread = this.notices.filter((n) => !n.read).length;
            return html`<button data-panel="notices" class="bell" aria-haspopup="dialog" aria-expanded=${String(this.panel === "notices")}
              aria-label=${unread ? `Notifications, ${unread} unread` : "Notifications"} title="Notifications" @click=${() => this.togglePanel("notices")}>${icons.bell}${unread ? html`<span class="badge" aria-hidden="true">${unread}</span>` : nothing}</button>`;
          })()}
          ${
            compact
              ? html`<button data-panel="account" aria-haspopup="dialog" aria-expanded=${String(this.panel === "account")} aria-label=${`Account: ${this.user?.role} ${short}`} data-testid="account" @click=${() => this.togglePanel("account")}>${this.user?.role}</button>`
              : html`<span class="who mono muted" data-testid="account" title=${this.user?.address ?? ""}>${this.user?.role}<span class="addr"> · ${short}</span></span>
                <button @click=${() => this.signOut()}>Sign out</button>`
          }
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
